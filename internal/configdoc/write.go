package configdoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

// Header is the comment that starts a YAML document.
const Header = "# NetBird configuration by name (birdseye export --by-name): ids, timestamps,\n# counters, addresses and secrets left out. birdseye mirror --from applies it.\n"

// Write writes the document as yaml or json, byte for byte the same for
// the same configuration.
func (d *Doc) Write(w io.Writer, format string) error {
	switch format {
	case "yaml", "":
		var b bytes.Buffer
		b.WriteString(Header)
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(d); err != nil {
			return fmt.Errorf("write the configuration as YAML: %w", err)
		}
		if err := enc.Close(); err != nil {
			return err
		}
		_, err := w.Write(b.Bytes())
		return err
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(d)
	}
	return fmt.Errorf("format %q: expected yaml or json", format)
}

package clone

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ManifestName and SumsName are written at the payload's top. The MANIFEST
// keeps the old tool's shape (status and install read it); SHA256SUMS lets
// the standby check the payload with coreutils alone (`sha256sum -c`),
// where the old tool needed python3 there.
const (
	ManifestName = "MANIFEST.json"
	SumsName     = "SHA256SUMS"
)

// FileSum is one staged file's checksum and size.
type FileSum struct {
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// Manifest describes a staged payload.
type Manifest struct {
	Created    string             `json:"created"`
	SourceHost string             `json:"source_host"`
	Primary    string             `json:"primary"`
	Targets    map[string]string  `json:"targets"` // name -> root on the standby
	Counts     map[string]int     `json:"counts"`
	Images     map[string]string  `json:"images,omitempty"`     // repository -> digest
	ImageTags  map[string]string  `json:"image_tags,omitempty"` // repository -> the tag the primary runs it as, when not latest
	Files      map[string]FileSum `json:"files,omitempty"`      // slash path inside the payload
	// Where target/<n> and shared/<n> go; the old tool baked this into
	// install.sh only.
	TargetPaths []PathEntry `json:"target_paths,omitempty"`
	SharedPaths []PathEntry `json:"shared_paths,omitempty"`
}

// WriteManifest sums every file under dir (but the manifest and the sums
// themselves), fills m.Files and writes MANIFEST.json and SHA256SUMS.
func WriteManifest(dir string, m *Manifest) error {
	files, err := sumTree(dir)
	if err != nil {
		return err
	}
	m.Files = files
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the manifest: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestName), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write the manifest: %w", err)
	}
	var sums strings.Builder
	for _, n := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(&sums, "%s  ./%s\n", files[n].SHA256, n)
	}
	if err := os.WriteFile(filepath.Join(dir, SumsName), []byte(sums.String()), 0o600); err != nil {
		return fmt.Errorf("write the checksums: %w", err)
	}
	return nil
}

// VerifyManifest checks a payload against its MANIFEST.json: every listed
// file present with its size and checksum. Problems are listed, not just
// the first, so one look tells how damaged a payload is.
func VerifyManifest(dir string) (*Manifest, []string, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, nil, fmt.Errorf("read the manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, nil, fmt.Errorf("%s is not valid JSON: %w", ManifestName, err)
	}
	have, err := sumTree(dir)
	if err != nil {
		return &m, nil, err
	}
	var problems []string
	for _, n := range slices.Sorted(maps.Keys(m.Files)) {
		got, ok := have[n]
		switch {
		case !ok:
			problems = append(problems, n+": missing")
		case got != m.Files[n]:
			problems = append(problems, n+": checksum differs")
		}
	}
	return &m, problems, nil
}

// sumTree sums the regular files under dir by slash path.
func sumTree(dir string) (map[string]FileSum, error) {
	out := map[string]FileSum{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == ManifestName || rel == SumsName {
			return nil
		}
		if strings.ContainsAny(rel, "\\\n\r") {
			return fmt.Errorf("%q: a staged name may not hold a backslash or a line break (SHA256SUMS could not list it)", rel)
		}
		s, err := sumFile(p)
		if err != nil {
			return err
		}
		out[rel] = s
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("checksum the payload: %w", err)
	}
	return out, nil
}

func sumFile(p string) (FileSum, error) {
	f, err := os.Open(p)
	if err != nil {
		return FileSum{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return FileSum{}, fmt.Errorf("read %s: %w", p, err)
	}
	return FileSum{SHA256: hex.EncodeToString(h.Sum(nil)), Bytes: n}, nil
}

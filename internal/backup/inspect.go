package backup

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"filippo.io/age"

	"github.com/styliteag/birdseye/internal/archive"
	"github.com/styliteag/birdseye/internal/sqlitefile"
)

// Inspection is what `backup verify` says about a volume archive beyond its
// checksums: every SQLite database's integrity, and whether the store's
// encryption key came along.
type Inspection struct {
	Databases map[string]error // entry name -> nil when integrity_check says ok
	Warnings  []string
	// NoKey: the archive has store.db but not the key that opens its
	// encrypted fields (management.json or config.yaml).
	NoKey bool
}

// Key opens an archive: the zip password (or age passphrase), or age
// identities.
type Key struct {
	Password   string
	Identities []age.Identity
}

// AgeIdentities are the identities, and the password as an scrypt one.
func (k Key) AgeIdentities() []age.Identity {
	ids := append([]age.Identity(nil), k.Identities...)
	if k.Password != "" {
		if id, err := age.NewScryptIdentity(k.Password); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// Each calls fn with every file of an archive of either format.
func Each(file string, k Key, fn func(name string, r io.Reader) error) error {
	if archive.IsAge(file) {
		_, err := archive.EachAge(file, k.AgeIdentities(), fn)
		return err
	}
	return archive.Each(file, k.Password, fn)
}

// Inspect copies every SQLite entry to a temp file and checks it, and looks
// for the store encryption key beside store.db.
func Inspect(file string, k Key) (*Inspection, error) { return inspect(file, k, nil, nil) }

// pgDumpMagic starts pg_dump's custom format.
var pgDumpMagic = []byte("PGDMP")

// inspect is Inspect, showing each SQLite copy to seen before it goes.
func inspect(file string, k Key, seen func(name, copy string), dump func(name string, r io.Reader)) (*Inspection, error) {
	in := &Inspection{Databases: map[string]error{}}
	tmp, err := os.MkdirTemp("", "birdseye-verify-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	var sawStore, sawKey bool
	err = Each(file, k, func(name string, r io.Reader) error {
		br := bufio.NewReader(r)
		head, _ := br.Peek(len(sqlitefile.Magic))
		base := path.Base(name)
		switch {
		case dump != nil && bytes.HasPrefix(head, pgDumpMagic):
			dump(name, br)
			io.Copy(io.Discard, br) // what the restore left, for the checksum
		case bytes.Equal(head, sqlitefile.Magic):
			if base == "store.db" {
				sawStore = true
			}
			dst := filepath.Join(tmp, fmt.Sprintf("%d.db", len(in.Databases)))
			f, err := os.Create(dst)
			if err != nil {
				return err
			}
			if _, err := io.Copy(f, br); err != nil {
				f.Close()
				return err
			}
			f.Close()
			in.Databases[name] = sqlitefile.IntegrityCheck(dst)
			if seen != nil {
				seen(name, dst)
			}
			os.Remove(dst)
		case base == "management.json" || base == "config.yaml" || base == "config.yml":
			b, _ := io.ReadAll(br)
			if strings.Contains(string(b), "DataStoreEncryptionKey") || strings.Contains(strings.ToLower(string(b)), "encryptionkey") {
				sawKey = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if sawStore && !sawKey {
		in.NoKey = true
		in.Warnings = append(in.Warnings, "the archive has store.db but no store encryption key (DataStoreEncryptionKey in management.json, or the key in config.yaml): NetBird encrypts users' names and e-mails in store.db and deleted users' in events.db with it, so a restore without it loses them")
	}
	return in, nil
}

package clone

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

const primaryACME = `{"le":{"Account":{"Email":"ops@primary"},"Certificates":[
 {"domain":{"main":"nb.example.com"},"certificate":"P-NB","key":"P-KEY","Store":"default"},
 {"domain":{"main":"proxy.example.com"},"certificate":"P-PX","key":"P-KEY2","Store":"default"}]}}`

func TestMergeACMEKeepsTheStandbysAccountAndTakesThePrimarysCertificates(t *testing.T) {
	standby := `{"le":{"Account":{"Email":"ops@standby"},"Certificates":[
	 {"domain":{"main":"nb.example.com"},"certificate":"OLD","key":"OLD"},
	 {"domain":{"main":"standby.example.com"},"certificate":"S","key":"S"}]},
	 "other":{"Account":null,"Certificates":[]}}`
	b, err := MergeACME([]byte(standby), []byte(primaryACME))
	require.NoError(t, err)
	var got map[string]struct {
		Account      map[string]string
		Certificates []struct {
			Domain      struct{ Main string } `json:"domain"`
			Certificate string                `json:"certificate"`
			Store       string
		}
	}
	require.NoError(t, json.Unmarshal(b, &got))
	require.Equal(t, "ops@standby", got["le"].Account["Email"])
	require.Len(t, got["le"].Certificates, 3)
	require.Equal(t, "nb.example.com", got["le"].Certificates[0].Domain.Main)
	require.Equal(t, "P-NB", got["le"].Certificates[0].Certificate, "the primary's certificate wins")
	require.Equal(t, "default", got["le"].Certificates[0].Store, "unknown fields pass through")
	require.Equal(t, "S", got["le"].Certificates[2].Certificate, "the standby's own domains stay")
	require.Contains(t, got, "other")
}

func TestMergeACMEIntoAnEmptyStandbyTakesThePrimarysAccount(t *testing.T) {
	b, err := MergeACME(nil, []byte(primaryACME))
	require.NoError(t, err)
	require.Contains(t, string(b), "ops@primary")
	again, err := MergeACME(b, []byte(primaryACME))
	require.NoError(t, err)
	require.JSONEq(t, string(b), string(again), "merging twice changes nothing")
}

func TestMergeACMERefusesWhatIsNotAnACMEStore(t *testing.T) {
	_, err := MergeACME(nil, []byte(`[1,2]`))
	require.ErrorContains(t, err, "CLONE_ACME_SOURCE is not Traefik's acme.json")
	_, err = MergeACME([]byte(`{"le":{"Certificates":{}}}`), []byte(primaryACME))
	require.ErrorContains(t, err, "resolver le: Certificates is not a list")
}

func TestCertDomainsShowsNamesNeverKeys(t *testing.T) {
	d, err := CertDomains([]byte(primaryACME))
	require.NoError(t, err)
	require.Equal(t, []string{"nb.example.com", "proxy.example.com"}, d)
}

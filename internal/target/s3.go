package target

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// S3Config is the BACKUP_S3_* settings of s3:// targets.
type S3Config struct {
	Endpoint  string // https://s3.example.com (empty = AWS in Region)
	Region    string
	PathStyle bool
	AccessKey string
	SecretKey string // secret
	PartSize  int64  // multipart above this; 0 = 16 MiB
}

// S3 is a bucket and prefix on any S3-compatible service:
// s3://bucket/prefix. The client is birdseye's own (signature V4, the
// five calls a backup needs): the S3 libraries cost 2 to 3 MB of binary.
type S3 struct {
	Bucket, Prefix string
	cfg            S3Config
	base           *url.URL
	http           *http.Client
}

func newS3(bucket, prefix string, cfg S3Config) (*S3, error) {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	endpoint := cfg.Endpoint
	if endpoint == "" {
		endpoint = "https://s3." + cfg.Region + ".amazonaws.com"
	}
	e, err := url.Parse(endpoint)
	if err != nil || e.Host == "" || (e.Scheme != "http" && e.Scheme != "https") {
		return nil, fmt.Errorf("the endpoint %q is not an http(s) URL", cfg.Endpoint)
	}
	if cfg.PartSize <= 0 {
		cfg.PartSize = 16 << 20
	}
	return &S3{Bucket: bucket, Prefix: strings.Trim(prefix, "/"), cfg: cfg, base: e, http: &http.Client{Timeout: 10 * time.Minute}}, nil
}

func (s *S3) String() string { return "s3://" + path.Join(s.Bucket, s.Prefix) }

func (s *S3) key(name string) string { return path.Join(s.Prefix, path.Base(name)) }

// url addresses the bucket, or an object in it, path-style or as a
// virtual host.
func (s *S3) url(key string, query url.Values) *url.URL {
	u := *s.base
	if s.cfg.PathStyle {
		u.Path = "/" + s.Bucket
		if key != "" {
			u.Path += "/" + key
		}
	} else {
		u.Host = s.Bucket + "." + u.Host
		u.Path = "/" + key
	}
	u.RawQuery = query.Encode()
	return &u
}

// do sends a signed request; body is hashed for the signature.
func (s *S3) do(ctx context.Context, method, key string, query url.Values, body []byte, header http.Header) (*http.Response, error) {
	u := s.url(key, query)
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.ContentLength = int64(len(body))
	for k, v := range header {
		req.Header[k] = v
	}
	sign(req, body, s.cfg, time.Now())
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", s, method, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		var e struct{ Code, Message string }
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<10))
		xml.Unmarshal(raw, &e)
		if e.Code == "" {
			e.Code = http.StatusText(resp.StatusCode)
		}
		return nil, &s3Error{status: resp.StatusCode, code: e.Code, msg: e.Message}
	}
	return resp, nil
}

type s3Error struct {
	status    int
	code, msg string
}

func (e *s3Error) Error() string {
	if e.msg != "" {
		return fmt.Sprintf("HTTP %d %s: %s", e.status, e.code, e.msg)
	}
	return fmt.Sprintf("HTTP %d %s", e.status, e.code)
}

// Put uploads the file, in parts above PartSize (memory: one part), which
// the service completes atomically, then reads it back and compares.
func (s *S3) Put(ctx context.Context, name, local string) error {
	want, size, err := fileSum(local)
	if err != nil {
		return err
	}
	f, err := os.Open(local)
	if err != nil {
		return err
	}
	defer f.Close()
	key := s.key(name)
	if size <= s.cfg.PartSize {
		body, err := io.ReadAll(f)
		if err != nil {
			return err
		}
		resp, err := s.do(ctx, http.MethodPut, key, nil, body, nil)
		if err != nil {
			return fmt.Errorf("%s: upload %s: %w", s, name, err)
		}
		resp.Body.Close()
	} else if err := s.multipart(ctx, key, f); err != nil {
		return fmt.Errorf("%s: upload %s: %w", s, name, err)
	}
	resp, err := s.do(ctx, http.MethodGet, key, nil, nil, nil)
	if err != nil {
		return fmt.Errorf("%s: read %s back: %w", s, name, err)
	}
	defer resp.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, resp.Body)
	if err != nil || n != size || hex.EncodeToString(h.Sum(nil)) != want {
		s.Delete(ctx, name)
		return fmt.Errorf("%s: %s does not read back as written", s, name)
	}
	return nil
}

// Sweep aborts the multipart uploads a killed run left under the prefix
// (begun over a day ago); the backup runs it before each upload. A
// service that cannot list uploads has not failed the backup: the
// bucket's lifecycle rule (docs) is the other way to clean them.
func (s *S3) Sweep(ctx context.Context) (int, error) { return s.abortStale(ctx, time.Now()) }

func (s *S3) multipart(ctx context.Context, key string, r io.Reader) error {
	resp, err := s.do(ctx, http.MethodPost, key, url.Values{"uploads": {""}}, nil, nil)
	if err != nil {
		return err
	}
	var start struct{ UploadId string }
	err = xml.NewDecoder(resp.Body).Decode(&start)
	resp.Body.Close()
	if err != nil || start.UploadId == "" {
		return fmt.Errorf("start a multipart upload: %v", err)
	}
	type part struct {
		PartNumber int
		ETag       string
	}
	var parts []part
	abort := func(err error) error {
		if r, aerr := s.do(context.WithoutCancel(ctx), http.MethodDelete, key, url.Values{"uploadId": {start.UploadId}}, nil, nil); aerr == nil {
			r.Body.Close()
		}
		return err
	}
	buf := make([]byte, s.cfg.PartSize)
	for n := 1; ; n++ {
		got, err := io.ReadFull(r, buf)
		if got == 0 {
			break
		}
		if err != nil && err != io.ErrUnexpectedEOF {
			return abort(err)
		}
		resp, err := s.do(ctx, http.MethodPut, key, url.Values{"partNumber": {strconv.Itoa(n)}, "uploadId": {start.UploadId}}, buf[:got], nil)
		if err != nil {
			return abort(fmt.Errorf("part %d: %w", n, err))
		}
		resp.Body.Close()
		parts = append(parts, part{n, resp.Header.Get("ETag")})
		if got < len(buf) {
			break
		}
	}
	body, _ := xml.Marshal(struct {
		XMLName xml.Name `xml:"CompleteMultipartUpload"`
		Part    []part
	}{Part: parts})
	resp, err = s.do(ctx, http.MethodPost, key, url.Values{"uploadId": {start.UploadId}}, body, nil)
	if err != nil {
		return abort(fmt.Errorf("complete: %w", err))
	}
	defer resp.Body.Close()
	// A completion can fail inside a 200 answer: look for an Error.
	raw, _ := io.ReadAll(resp.Body)
	if bytes.Contains(raw, []byte("<Error>")) {
		return abort(fmt.Errorf("complete: %s", raw))
	}
	return nil
}

func (s *S3) List(ctx context.Context) ([]string, error) {
	prefix := s.Prefix
	if prefix != "" {
		prefix += "/"
	}
	var out []string
	token := ""
	for {
		q := url.Values{"list-type": {"2"}, "prefix": {prefix}}
		if token != "" {
			q.Set("continuation-token", token)
		}
		resp, err := s.do(ctx, http.MethodGet, "", q, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: list: %w", s, err)
		}
		var page struct {
			Contents              []struct{ Key string }
			IsTruncated           bool
			NextContinuationToken string
		}
		err = xml.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: list: %w", s, err)
		}
		for _, c := range page.Contents {
			if rest := strings.TrimPrefix(c.Key, prefix); rest != "" && !strings.Contains(rest, "/") {
				out = append(out, rest)
			}
		}
		if !page.IsTruncated || page.NextContinuationToken == "" {
			break
		}
		token = page.NextContinuationToken
	}
	sort.Strings(out)
	return out, nil
}

func (s *S3) Delete(ctx context.Context, name string) error {
	resp, err := s.do(ctx, http.MethodDelete, s.key(name), nil, nil, nil)
	if err != nil {
		return fmt.Errorf("%s: delete %s: %w", s, name, err)
	}
	resp.Body.Close()
	return nil
}

// Check: the bucket answers with these credentials and a probe can be
// written and removed.
func (s *S3) Check(ctx context.Context) (string, error) {
	resp, err := s.do(ctx, http.MethodHead, "", nil, nil, nil)
	if e, ok := err.(*s3Error); ok && e.status == http.StatusNotFound {
		return "", fmt.Errorf("%s: the bucket %s does not exist", s, s.Bucket)
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w (check BACKUP_S3_ENDPOINT and the credentials)", s, err)
	}
	resp.Body.Close()
	probe := s.key(".birdseye-doctor-probe")
	if resp, err = s.do(ctx, http.MethodPut, probe, nil, []byte("probe"), nil); err != nil {
		return "", fmt.Errorf("%s: not writable: %w", s, err)
	}
	resp.Body.Close()
	if resp, err = s.do(ctx, http.MethodDelete, probe, nil, nil, nil); err == nil {
		resp.Body.Close()
	}
	return s.String() + ": bucket exists, writable", nil
}

func (s *S3) Get(ctx context.Context, name string, w io.Writer) error {
	resp, err := s.do(ctx, http.MethodGet, s.key(name), nil, nil, nil)
	if err != nil {
		return fmt.Errorf("%s: get %s: %w", s, name, err)
	}
	defer resp.Body.Close()
	_, err = io.Copy(w, resp.Body)
	return err
}

// staleUpload is how long ago a multipart upload must have begun to be
// taken as left by a killed run: an archive's upload takes minutes.
const staleUpload = 24 * time.Hour

type upload struct {
	Key       string
	UploadId  string
	Initiated time.Time
}

// uploads lists the multipart uploads under the prefix that were begun
// and neither completed nor aborted.
func (s *S3) uploads(ctx context.Context) ([]upload, error) {
	prefix := s.Prefix
	if prefix != "" {
		prefix += "/"
	}
	var out []upload
	q := url.Values{"uploads": {""}, "prefix": {prefix}}
	for {
		resp, err := s.do(ctx, http.MethodGet, "", q, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("list multipart uploads: %w", err)
		}
		var page struct {
			Upload             []upload
			IsTruncated        bool
			NextKeyMarker      string
			NextUploadIdMarker string
		}
		err = xml.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("list multipart uploads: %w", err)
		}
		out = append(out, page.Upload...)
		if !page.IsTruncated || page.NextKeyMarker == "" {
			return out, nil
		}
		q.Set("key-marker", page.NextKeyMarker)
		q.Set("upload-id-marker", page.NextUploadIdMarker)
	}
}

// abortStale aborts birdseye's multipart uploads (netbird… keys directly
// under the prefix) begun more than staleUpload before now: their parts
// are stored, and billed, until aborted. It returns how many.
func (s *S3) abortStale(ctx context.Context, now time.Time) (int, error) {
	ups, err := s.uploads(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, u := range ups {
		name := strings.TrimPrefix(u.Key, s.Prefix+"/")
		if s.Prefix == "" {
			name = u.Key
		}
		if strings.Contains(name, "/") || !strings.HasPrefix(name, "netbird") || now.Sub(u.Initiated) < staleUpload {
			continue
		}
		resp, err := s.do(ctx, http.MethodDelete, u.Key, url.Values{"uploadId": {u.UploadId}}, nil, nil)
		if err != nil {
			return n, fmt.Errorf("abort %s: %w", u.Key, err)
		}
		resp.Body.Close()
		n++
	}
	return n, nil
}

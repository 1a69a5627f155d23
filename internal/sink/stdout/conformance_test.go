package stdout

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/sinktest"
)

// pipe is what docker logs reads; it can break (a closed pipe).
type pipe struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	broken bool
	writes int
}

func (p *pipe) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.writes++
	if p.broken {
		return 0, errors.New("write /dev/stdout: broken pipe")
	}
	return p.buf.Write(b)
}
func (p *pipe) Events() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Count(p.buf.String(), "policy.update")
}
func (p *pipe) Requests() int { p.mu.Lock(); defer p.mu.Unlock(); return p.writes }
func (p *pipe) Fail(f sinktest.Failure) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch f {
	case sinktest.OK:
		p.broken = false
		return true
	case sinktest.ServerError:
		p.broken = true
		return true
	}
	return false
}
func (p *pipe) Secrets() []string { return nil }

func TestStdoutConformance(t *testing.T) {
	sinktest.Run(t, func(t *testing.T) (sink.Sink, sinktest.Receiver) {
		p := &pipe{}
		return New(p, time.UTC), p
	})
}

package email

import (
	"testing"

	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/email/smtptest"
	"github.com/styliteag/birdseye/internal/sink/sinktest"
)

// smtpReceiver is the real SMTP server seen as a conformance receiver: in
// immediate mode an event arrived when its mail did.
type smtpReceiver struct{ srv *smtptest.Server }

func (r smtpReceiver) Events() int   { return len(r.srv.Messages()) }
func (r smtpReceiver) Requests() int { return len(r.srv.Messages()) }
func (r smtpReceiver) Fail(f sinktest.Failure) bool {
	switch f {
	case sinktest.OK:
		r.srv.Accept()
		return true
	case sinktest.ServerError:
		r.srv.Refuse() // 451: try again later
		return true
	}
	return false // a refused login (permanent) is TestAWrongPasswordIsAClearPermanentError
}
func (r smtpReceiver) Secrets() []string { return []string{r.srv.Pass} }

func TestEmailConformance(t *testing.T) {
	sinktest.Run(t, func(t *testing.T) (sink.Sink, sinktest.Receiver) {
		srv := smtptest.Start(t, "starttls", "mailer", "conformance-pass-77")
		return sinkFor(srv, false), smtpReceiver{srv}
	})
}

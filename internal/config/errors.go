package config

import (
	"errors"
	"strings"
)

// Error is a configuration problem. Its message names the variable, what is
// wrong and the expected form, on one line; the command exits with code 2.
type Error struct {
	Var string
	Msg string
	Err error // what it is, for errors.Is (optional)
}

func (e *Error) Unwrap() error { return e.Err }

func (e *Error) Error() string {
	if strings.HasPrefix(e.Msg, "=") {
		return "config: " + e.Var + e.Msg
	}
	return "config: " + e.Var + " " + e.Msg
}

// Errors are several configuration problems, reported together, one a line.
type Errors []error

func (e Errors) Error() string {
	lines := make([]string, len(e))
	for i, err := range e {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}

func (e Errors) Unwrap() []error { return e }

// Join gathers problems: nil when there are none, the one itself when
// there is one, Errors (flattened) when there are more.
func Join(errs ...error) error {
	var out Errors
	for _, err := range errs {
		var more Errors
		switch {
		case err == nil:
		case errors.As(err, &more):
			out = append(out, more...)
		default:
			out = append(out, err)
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return out
}

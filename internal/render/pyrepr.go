package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Repr quotes s as Python's repr() does: single quotes unless s holds a
// single quote and no double quote; backslash, the quote, \t \n \r escaped;
// other non-printable characters as \xhh, \uhhhh or \Uhhhhhhhh.
func Repr(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(q):
			b.WriteByte('\\')
			b.WriteByte(q)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case unicode.IsPrint(r):
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// ReprJSON renders a JSON value as Python's repr() of what json.loads makes
// of it: dicts in key order, True/False/None, ints exact, floats shortest.
func ReprJSON(raw json.RawMessage) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var b strings.Builder
	if err := reprValue(dec, &b); err != nil {
		return Repr(string(raw))
	}
	return b.String()
}

func reprValue(dec *json.Decoder, b *strings.Builder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		closing := map[json.Delim]string{'{': "}", '[': "]"}[v]
		b.WriteString(string(v))
		for i := 0; dec.More(); i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			if v == '{' {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				b.WriteString(Repr(k.(string)) + ": ")
			}
			if err := reprValue(dec, b); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
		b.WriteString(closing)
	case string:
		b.WriteString(Repr(v))
	case bool:
		b.WriteString(PyBool(v))
	case nil:
		b.WriteString("None")
	case json.Number:
		b.WriteString(pyNumber(v))
	}
	return nil
}

// pyNumber spells a JSON number as Python prints the int or float it becomes.
func pyNumber(n json.Number) string {
	s := n.String()
	if !strings.ContainsAny(s, ".eE") {
		return s // Python ints are exact, whatever their size
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) {
		return s
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, expS, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expS)
	if exp < -4 || exp >= 16 {
		return mant + "e" + expS[:1] + fmt.Sprintf("%02d", abs(exp))
	}
	out := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(out, ".") {
		out += ".0"
	}
	return out
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// PyBool is Python's str() of a bool.
func PyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

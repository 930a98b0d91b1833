package adapt

import (
	"strconv"
	"strings"
)

// LabelKeys are the metadata_props keys a model's class names are read
// from, in order of preference.
var LabelKeys = []string{"labels", "classes", "class_names", "names"}

// MaxLabel bounds the length of one label shown.
const MaxLabel = 40

// Labels returns the names of a model's k classes from its metadata, and
// the key they came from: under one of [LabelKeys], a JSON array of
// strings, a JSON or Python dict of index → name ({"0": "cat", …} or
// {0: 'cat', …}), or a plain list separated by newlines or commas. A list
// of another length than k is ignored. Without labels it returns the
// indexes, "0" … "k−1", and key "".
func Labels(meta map[string]string, k int) ([]string, string) {
	for _, key := range LabelKeys {
		v, ok := meta[key]
		if !ok {
			continue
		}
		if ls := parseLabels(v, k); ls != nil {
			return ls, key
		}
	}
	ls := make([]string, k)
	for i := range ls {
		ls[i] = strconv.Itoa(i)
	}
	return ls, ""
}

// parseLabels reads one metadata value as k labels, or returns nil.
func parseLabels(s string, k int) []string {
	s = strings.TrimSpace(s)
	if k < 1 || k > 100000 || s == "" {
		return nil
	}
	var out []string
	switch s[0] {
	case '[':
		toks, ok := tokens(s[1:], ']')
		if !ok {
			return nil
		}
		for _, t := range toks {
			if !t.quoted {
				return nil
			}
			out = append(out, t.s)
		}
	case '{':
		toks, ok := tokens(s[1:], '}')
		if !ok || len(toks)%2 != 0 || len(toks)/2 != k {
			return nil
		}
		out = make([]string, k)
		for i := 0; i < len(toks); i += 2 {
			idx, err := strconv.Atoi(toks[i].s)
			if err != nil || idx < 0 || idx >= k || out[idx] != "" || !toks[i+1].quoted {
				return nil
			}
			out[idx] = toks[i+1].s
		}
	default:
		sep := ","
		if strings.Contains(s, "\n") {
			sep = "\n"
		}
		for _, p := range strings.Split(s, sep) {
			out = append(out, strings.TrimSpace(p))
		}
	}
	if len(out) != k {
		return nil
	}
	for i, l := range out {
		if l == "" {
			return nil
		}
		if r := []rune(l); len(r) > MaxLabel {
			out[i] = string(r[:MaxLabel-1]) + "…"
		}
	}
	return out
}

type token struct {
	s      string
	quoted bool
}

// tokens splits the inside of a JSON or Python array or dict, up to its
// closing bracket, into its values: quoted strings ("…" or '…', with
// backslash escapes) and bare words (numbers), skipping the commas and
// colons between them.
func tokens(s string, end byte) ([]token, bool) {
	var out []token
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == end:
			return out, strings.TrimSpace(s[i+1:]) == ""
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ':':
			i++
		case c == '"' || c == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != c; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
					switch s[j] {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					case 'u':
						if j+4 < len(s) {
							if r, err := strconv.ParseUint(s[j+1:j+5], 16, 32); err == nil {
								b.WriteRune(rune(r))
								j += 4
								continue
							}
						}
						return nil, false
					default:
						b.WriteByte(s[j])
					}
					continue
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, false
			}
			out = append(out, token{s: b.String(), quoted: true})
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r,:", rune(s[j])) && s[j] != end {
				j++
			}
			out = append(out, token{s: s[i:j]})
			i = j
		}
	}
	return nil, false
}

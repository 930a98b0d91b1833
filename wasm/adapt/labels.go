package adapt

import "strconv"

// The browser build links no package strings (about 5 kB gzipped for the
// few calls here): these helpers do what the label parsing needs.

// isSpace reports ASCII white space, all a label list separates with.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// trim removes ASCII white space at both ends.
func trim(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// split cuts s at every sep byte.
func split(s string, sep byte) []string {
	var out []string
	for {
		i := 0
		for i < len(s) && s[i] != sep {
			i++
		}
		out = append(out, s[:i])
		if i == len(s) {
			return out
		}
		s = s[i+1:]
	}
}

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
	s = trim(s)
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
		sep := byte(',')
		for i := 0; i < len(s); i++ {
			if s[i] == '\n' {
				sep = '\n'
			}
		}
		for _, p := range split(s, sep) {
			out = append(out, trim(p))
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
			return out, trim(s[i+1:]) == ""
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ':':
			i++
		case c == '"' || c == '\'':
			var b []byte
			j := i + 1
			for ; j < len(s) && s[j] != c; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
					switch s[j] {
					case 'n':
						b = append(b, '\n')
					case 't':
						b = append(b, '\t')
					case 'u':
						if j+4 < len(s) {
							if r, err := strconv.ParseUint(s[j+1:j+5], 16, 32); err == nil {
								b = append(b, string(rune(r))...)
								j += 4
								continue
							}
						}
						return nil, false
					default:
						b = append(b, s[j])
					}
					continue
				}
				b = append(b, s[j])
			}
			if j >= len(s) {
				return nil, false
			}
			out = append(out, token{s: string(b), quoted: true})
			i = j + 1
		default:
			j := i
			for j < len(s) && !isSpace(s[j]) && s[j] != ',' && s[j] != ':' && s[j] != end {
				j++
			}
			out = append(out, token{s: s[i:j]})
			i = j
		}
	}
	return nil, false
}

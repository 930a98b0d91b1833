package main

import (
	"errors"
	"flag"
	"fmt"
	"image"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"wasmcnn/core/ink"
	"wasmcnn/data"
	"wasmcnn/internal/site"
)

// notDigitSource is one whole source of non-digit drawings: a script of a
// font, a font of single-line glyphs, a stroke corpus or a generator.
type notDigitSource struct {
	name    string // group/name, as data.Drawing.Source records it
	heldOut bool   // kept out of training, for measurement
	load    func(o *notDigitOptions, r *rand.Rand) ([]strokes, error)
}

type notDigitOptions struct {
	hanzi, hershey, fonts string
	moreFonts             []fontScript // set from the flag before the sources load
	digits                []data.StrokeDigit
	perSource, generated  int
}

// latinLookalikes are the ASCII characters drawn like a digit (O and 0, l
// and 1, S and 5, Z and 2, b and 6, g and q and 9), like a slanted, bent or
// upright 1 (/ \ | ( ) [ ] { } !), or, blown up to fill the pad as every glyph
// is, like a 9 or a 6 (the comma and the quotes: a dot with a curled tail):
// read as digits, they are no non-digit material. Every Hershey font is
// skipped at these places: the symbol fonts, too, keep digits, Latin
// letters and marks there.
const latinLookalikes = "0123456789OoIlSsZzbgq|/\\()[]{}!,'`"

// scriptLookalikes are letters of the Greek and Cyrillic scripts drawn like
// a digit (omicron and O like 0, iota and і like 1, З like 3, Ч like 4, б
// like 6, Ѕ like 5, ь like 6): read as digits, they are no non-digit
// material.
const scriptLookalikes = "ΟοΙιΖϜϝϴ" + "ОоІіЇїЅѕЗзӠӡЧчбЬьѲѳӀӏ"

// fontScript is a script of a font file outside fonts-noto-core.
type fontScript struct{ path, script string }

// defaultMoreFonts are the scripts of Debian's fonts-nanum and
// fonts-ipafont-gothic the material draws on: Korean and the Japanese kana,
// scripts the pen-drawn test sets of many alphabets have and Noto's core
// fonts lack.
const defaultMoreFonts = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf:Hangul,/usr/share/fonts/truetype/nanum/NanumMyeongjo.ttf:Hangul," +
	"/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf:Hiragana,/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf:Katakana"

// parseFontScripts reads a comma-separated list of path:Script.
func parseFontScripts(s string) ([]fontScript, error) {
	var out []fontScript
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		i := strings.LastIndex(part, ":")
		if i <= 0 || i == len(part)-1 {
			return nil, fmt.Errorf("font %q: want path:Script", part)
		}
		out = append(out, fontScript{part[:i], part[i+1:]})
	}
	return out, nil
}

// notDigitSources lists the material. Held out of training, for the
// measurement: the Armenian, Ethiopic, Bengali, Malayalam and Tifinagh
// scripts (Noto) and the loops generator.
func notDigitSources(more []fontScript) []notDigitSource {
	var src []notDigitSource
	for _, font := range []string{"futural", "futuram", "timesr", "timesi", "timesrb", "timesib", "cursive", "scripts", "scriptc",
		"gothiceng", "gothicger", "gothicita", "greek", "timesg", "cyrillic",
		"astrology", "markers", "mathlow", "mathupp", "meteorology", "music", "symbolic", "japanese"} {
		src = append(src, notDigitSource{name: "hershey/" + font, load: func(o *notDigitOptions, r *rand.Rand) ([]strokes, error) {
			if o.hershey == "" {
				return nil, nil
			}
			return hersheyFont(o.hershey, font, latinLookalikes)
		}})
	}
	src = append(src, notDigitSource{name: "hanzi/medians", load: func(o *notDigitOptions, r *rand.Rand) ([]strokes, error) {
		if o.hanzi == "" {
			return nil, nil
		}
		return hanziMedians(o.hanzi, 3)
	}})
	noto := func(file, script string, held bool) {
		name := "noto/" + script
		if !strings.Contains(file, "-") {
			file += "-Regular"
		}
		if f := strings.ToLower(strings.TrimPrefix(file, "Noto")); !strings.HasPrefix(f, strings.ToLower("Sans"+script)) && !strings.HasPrefix(f, strings.ToLower("Serif"+script)) {
			name += ":" + strings.TrimPrefix(file, "Noto") // several fonts of one script
		}
		src = append(src, notDigitSource{name: name, heldOut: held, load: func(o *notDigitOptions, r *rand.Rand) ([]strokes, error) {
			if o.fonts == "" {
				return nil, nil
			}
			skip := scriptLookalikes
			if script == "Latin" {
				skip = latinLookalikes
			}
			return fontGlyphs(filepath.Join(o.fonts, file+".ttf"), script, skip)
		}})
	}
	for _, s := range [][2]string{
		{"NotoSans", "Latin"}, {"NotoSerif", "Latin"}, {"NotoSans-Italic", "Latin"}, {"NotoSerif-Italic", "Latin"},
		{"NotoSans", "Greek"}, {"NotoSerif", "Greek"}, {"NotoSans", "Cyrillic"}, {"NotoSerif", "Cyrillic"},
		{"NotoSansArabic", "Arabic"}, {"NotoSansDevanagari", "Devanagari"}, {"NotoSansThai", "Thai"},
		{"NotoSansTamil", "Tamil"}, {"NotoSansKhmer", "Khmer"}, {"NotoSansMyanmar", "Myanmar"},
		{"NotoSansSinhala", "Sinhala"}, {"NotoSansTelugu", "Telugu"}, {"NotoSansKannada", "Kannada"},
		{"NotoSansGujarati", "Gujarati"}, {"NotoSansGurmukhi", "Gurmukhi"}, {"NotoSerifTibetan", "Tibetan"},
		{"NotoSansCherokee", "Cherokee"}, {"NotoSansCanadianAboriginal", "Canadian_Aboriginal"}, {"NotoSansRunic", "Runic"},
		{"NotoSansSyriac", "Syriac"}, {"NotoSansThaana", "Thaana"}, {"NotoSansMongolian", "Mongolian"},
		{"NotoSansNKo", "Nko"}, {"NotoSansLao", "Lao"}, {"NotoSansYi", "Yi"}, {"NotoSansVai", "Vai"},
		{"NotoSansJavanese", "Javanese"}, {"NotoSansBalinese", "Balinese"}, {"NotoSansCoptic", "Coptic"},
		{"NotoSansGlagolitic", "Glagolitic"}, {"NotoSansOlChiki", "Ol_Chiki"}, {"NotoSansLisu", "Lisu"},
		{"NotoSansBamum", "Bamum"}, {"NotoSansOsage", "Osage"}, {"NotoSansAdlam", "Adlam"},
		{"NotoSansSamaritan", "Samaritan"}, {"NotoSansSymbols", "Common"}, {"NotoSansSymbols2", "Common"},
		{"NotoSansHebrew", "Hebrew"}, {"NotoSansGeorgian", "Georgian"}, {"NotoSansOriya", "Oriya"},
	} {
		noto(s[0], s[1], false)
	}
	for _, s := range rareNotoScripts {
		noto(s[0], s[1], false)
	}
	for _, s := range [][2]string{
		{"NotoSansArmenian", "Armenian"}, {"NotoSansEthiopic", "Ethiopic"}, {"NotoSansBengali", "Bengali"},
		{"NotoSansMalayalam", "Malayalam"}, {"NotoSansTifinagh", "Tifinagh"},
	} {
		noto(s[0], s[1], true)
	}
	for _, f := range more {
		name := "font/" + f.script + ":" + strings.TrimSuffix(filepath.Base(f.path), filepath.Ext(f.path))
		src = append(src, notDigitSource{name: name, load: func(o *notDigitOptions, r *rand.Rand) ([]strokes, error) {
			if _, err := os.Stat(f.path); err != nil {
				return nil, nil // the package is not installed: no such material
			}
			return fontGlyphs(f.path, f.script, scriptLookalikes)
		}})
	}
	names := make([]string, 0, len(generators))
	for n := range generators {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		gen := generators[n]
		src = append(src, notDigitSource{name: "gen/" + n, heldOut: n == "loops", load: func(o *notDigitOptions, r *rand.Rand) ([]strokes, error) {
			if (n == "pair" || n == "recombine") && len(o.digits) == 0 {
				return nil, nil
			}
			count := o.generated
			if n == "loops" {
				count = o.perSource // held out: as many as of a script
			}
			out := make([]strokes, 0, count)
			for range count {
				out = append(out, gen(r, o.digits))
			}
			return out, nil
		}})
	}
	return src
}

// runNotDigits makes the non-digit material: drawings that are no digit,
// from the packages' glyphs and stroke data and from generators, each drawn
// with pen-like jitter, written as the training file and the held-out file.
func runNotDigits(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("notdigits", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o notDigitOptions
	fs.StringVar(&o.hanzi, "hanzi", "", "`directory` of the hanzi-writer-data npm package (its character JSON files); empty: none")
	fs.StringVar(&o.hershey, "hershey", "", "hersheytext.json of the hersheytext npm package; empty: none")
	fs.StringVar(&o.fonts, "fonts", "/usr/share/fonts/truetype/noto", "`directory` of Debian's fonts-noto-core; empty: none")
	moreFonts := fs.String("more-fonts", defaultMoreFonts, "other fonts' scripts, as path:Script,… (Debian's fonts-nanum and fonts-ipafont-gothic); a missing file is skipped")
	pen := fs.String("pen", data.SharedPenDigitsPath(), "pen-digit strokes `file` that pairs and recombined strokes are cut from (empty: none)")
	penWriters := fs.String("pen-writers", "1-24", "writers of -pen to use (never the held-out ones)")
	fs.IntVar(&o.perSource, "per-source", 300, "at most this many glyphs of each font or script")
	fs.IntVar(&o.generated, "generated", 1500, "drawings of each generator")
	copies := fs.Int("copies", 3, "jittered drawings of each training glyph")
	seed := fs.Uint64("seed", 1, "random seed")
	out := fs.String("out", "dist/notdigits", "`directory` for train.json, val.json (a tenth of the training sources' drawings, kept for choosing thresholds), heldout.json (the held-out sources) and sheet.png")
	replay := fs.Int("replay", 60, "also write notdigit-replay.bin: this many training drawings, spread over the sources, rendered as fine-tuning replays them (web/models/notdigit-replay.bin)")
	sample := fs.Int("sample", 0, "also write sample.json: this many held-out drawings of each held-out source (for tests)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if o.moreFonts, err = parseFontScripts(*moreFonts); err != nil {
		return err
	}
	if *pen != "" {
		all, err := data.LoadStrokeDigits(*pen)
		if err != nil {
			return err
		}
		ws, err := parseWriters(*penWriters)
		if err != nil {
			return err
		}
		o.digits, _ = splitByWriter(all, ws)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	var train, val, held, samples []data.Drawing
	for i, s := range notDigitSources(o.moreFonts) {
		r := rand.New(rand.NewPCG(*seed, uint64(i)))
		raw, err := s.load(&o, r)
		if err != nil {
			return fmt.Errorf("%s: %v", s.name, err)
		}
		if len(raw) == 0 {
			continue
		}
		// Glyph sources are capped by a random choice; generators make
		// exactly what was asked.
		if !strings.HasPrefix(s.name, "gen/") && len(raw) > o.perSource && !strings.HasPrefix(s.name, "hanzi/") {
			r.Shuffle(len(raw), func(a, b int) { raw[a], raw[b] = raw[b], raw[a] })
			raw = raw[:o.perSource]
		}
		n := *copies
		if s.heldOut || strings.HasPrefix(s.name, "gen/") || strings.HasPrefix(s.name, "hanzi/") {
			n = 1
		}
		kept, dropped := 0, 0
		for _, g := range raw {
			for c := 0; c < n; c++ {
				j, ok := penJitter(g, 1, r)
				if !ok || digitLike(j) {
					dropped++
					continue
				}
				d := data.Drawing{Source: s.name, Strokes: j}
				kept++
				if s.heldOut {
					held = append(held, d)
					if kept <= *sample {
						samples = append(samples, d)
					}
				} else if kept%10 == 0 {
					// Every tenth drawing of a training source is kept
					// for choosing the thresholds.
					val = append(val, d)
				} else {
					train = append(train, d)
				}
			}
		}
		what := "train"
		if s.heldOut {
			what = "held out"
		}
		fmt.Fprintf(stderr, "%-28s %5d drawings (%s), %d digit-like or empty dropped\n", s.name, kept, what, dropped)
	}
	if len(train) == 0 {
		return errors.New("no material: give -hanzi, -hershey, -fonts or -pen")
	}
	for name, ds := range map[string][]data.Drawing{"train.json": train, "val.json": val, "heldout.json": held, "sample.json": samples} {
		if name == "sample.json" && *sample == 0 {
			continue
		}
		if err := data.SaveDrawings(filepath.Join(*out, name), ds); err != nil {
			return err
		}
	}
	if *replay > 0 {
		if err := os.WriteFile(filepath.Join(*out, "notdigit-replay.bin"), notDigitReplay(spread(train, *replay, *seed)), 0o644); err != nil {
			return err
		}
	}
	sheet := filepath.Join(*out, "sheet.png")
	if err := site.WritePNG(sheet, drawingSheet(append(sampleEach(train, 6), sampleEach(held, 6)...), 24)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d training, %d validation and %d held-out drawings in %s; a sample as the model sees them: %s\n", len(train), len(val), len(held), *out, sheet)
	return nil
}

// spread picks n drawings taking each group of sources (the part of the
// source before "/": fonts, stroke data, generators) in turn, at random
// within it.
func spread(ds []data.Drawing, n int, seed uint64) []data.Drawing {
	by := map[string][]data.Drawing{}
	var names []string
	for _, d := range ds {
		g, _, _ := strings.Cut(d.Source, "/")
		if by[g] == nil {
			names = append(names, g)
		}
		by[g] = append(by[g], d)
	}
	r := rand.New(rand.NewPCG(seed, 99))
	for _, g := range names {
		r.Shuffle(len(by[g]), func(i, j int) { by[g][i], by[g][j] = by[g][j], by[g][i] })
	}
	var out []data.Drawing
	for k := 0; len(out) < n && k < len(ds); k++ {
		for _, g := range names {
			if k < len(by[g]) && len(out) < n {
				out = append(out, by[g][k])
			}
		}
	}
	return out
}

// sampleEach returns the first n drawings of every source.
func sampleEach(ds []data.Drawing, n int) []data.Drawing {
	count := map[string]int{}
	var out []data.Drawing
	for _, d := range ds {
		if count[d.Source] < n {
			count[d.Source]++
			out = append(out, d)
		}
	}
	return out
}

// renderDrawings renders drawings as the page would: copies times each at
// random sizes between 45 % and 85 % of the pad (as renderPenDigits does pen
// digits for training) when copies > 1 or fraction is 0, else once at
// fraction. It returns the inputs and the source of each.
func renderDrawings(ds []data.Drawing, copies int, seed uint64, fraction float32) (x []float32, sources []string) {
	var r ink.StrokeRenderer
	rng := rand.New(rand.NewPCG(seed, 11))
	img := make([]float32, 784)
	for _, d := range ds {
		for c := 0; c < copies; c++ {
			frac := fraction
			if copies > 1 || fraction == 0 {
				frac = 0.45 + 0.4*rng.Float32()
			}
			if r.Render(img, d.Strokes, frac, ink.PenWidth) {
				x = append(x, img...)
				sources = append(sources, d.Source)
			}
		}
	}
	return x, sources
}

// drawingSheet draws drawings as the model sees them, captioned with their
// source.
func drawingSheet(ds []data.Drawing, cols int) image.Image {
	x, src := renderNonDigits(ds)
	pix := make([][]float32, len(src))
	for i := range pix {
		pix[i] = x[i*784 : (i+1)*784]
		src[i] = shortSource(src[i])
	}
	return drawTiles(pix, src, fmt.Sprintf("%d non-digit drawings as the model sees them (source)", len(pix)), cols)
}

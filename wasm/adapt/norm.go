package adapt

import (
	"math"
	"strconv"
)

// Norm is how a picture's pixels become a model's numbers, as the person
// chooses it (select#picture-norm): the model's own (from its metadata),
// ImageNet's mean and deviation, or one of the pixel scales.
type Norm string

// The normalisations the page offers.
const (
	NormModel    Norm = "model"
	NormImageNet Norm = "imagenet"
	NormUnit     Norm = Norm(Unit)
	NormRaw      Norm = Norm(Raw)
	NormPM1      Norm = Norm(PM1)
)

// Norms lists the normalisations in the order the page offers them.
var Norms = []Norm{NormModel, NormImageNet, NormUnit, NormRaw, NormPM1}

// Valid reports whether n is one of [Norms].
func (n Norm) Valid() bool {
	for _, v := range Norms {
		if n == v {
			return true
		}
	}
	return false
}

// Label names the normalisation for people.
func (n Norm) Label() string {
	switch n {
	case NormModel:
		return "the model's own"
	case NormImageNet:
		return "ImageNet mean/std"
	}
	return Scale(n).Label()
}

// ImageNet's mean and standard deviation of red, green and blue on the
// 0..1 scale, as torchvision's classifiers normalise.
var (
	ImageNetMean = [3]float32{0.485, 0.456, 0.406}
	ImageNetStd  = [3]float32{0.229, 0.224, 0.225}
)

// The metadata keys a model's normalisation is read from (metadata_props).
// MeanKeys and StdKeys hold one number, or one per channel, as a JSON list
// or separated by commas or spaces: on the 0..1 scale (torchvision's
// Normalize, Hugging Face's image_mean and image_std), or on the byte
// scale when a mean or a deviation is above 1 (Caffe's and OpenCV's).
// NormKey holds one of the page's names (imagenet, unit, raw, pm1).
// ONNX's own image metadata (onnx/docs/MetadataProps.md) gives the pixel
// range ([PixelRangeKey]: NominalRange_0_255, Normalized_0_1,
// Normalized_1_1, NominalRange_16_235) and the channel order
// ([PixelFormatKey]: Bgr8 feeds blue first). A mean and deviation come
// first, then NormKey, then the pixel range.
var (
	MeanKeys = []string{"mean", "image_mean"}
	StdKeys  = []string{"std", "image_std"}
)

const (
	NormKey        = "normalization"
	PixelRangeKey  = "Image.NominalPixelRange"
	PixelFormatKey = "Image.BitmapPixelFormat"
)

// Normalization is a normalisation resolved for one model: channel c of
// the model's input (in its own order) is v·Scale[c] + Offset[c] for a
// pixel v on the 0..1 scale, taken from blue first when BGR is set.
type Normalization struct {
	Norm          Norm // what was chosen
	Scale, Offset [3]float32
	BGR           bool
	// From is the metadata key it was read from ("" when the choice or the
	// fallback decided), Said what it is, for people.
	From, Said string
}

// NormalizationFor resolves choice for a model of channels (1 or 3)
// channels with metadata meta. NormModel takes what the metadata says and,
// when it says nothing, ImageNet's mean and deviation for a colour model
// (what most classifiers of photos were trained with) and 0..1 for a grey
// one; Fallback then reports true. The channel order comes from the
// metadata whatever the choice.
func NormalizationFor(choice Norm, meta map[string]string, channels int) (n Normalization, fallback bool) {
	n.Norm = choice
	n.BGR = channels == 3 && lowerASCII(trim(meta[PixelFormatKey])) == "bgr8"
	if choice == NormModel {
		if ok := n.fromMeta(meta, channels); ok {
			return n, false
		}
		fallback = true
		choice = NormImageNet
		if channels == 1 {
			choice = NormUnit
		}
	}
	n.set(choice)
	return n, fallback
}

// set makes n one of the named normalisations.
func (n *Normalization) set(choice Norm) {
	for c := 0; c < 3; c++ {
		switch choice {
		case NormImageNet:
			n.Scale[c], n.Offset[c] = 1/ImageNetStd[c], -ImageNetMean[c]/ImageNetStd[c]
		case NormRaw:
			n.Scale[c], n.Offset[c] = 255, 0
		case NormPM1:
			n.Scale[c], n.Offset[c] = 2, -1
		default:
			n.Scale[c], n.Offset[c] = 1, 0
		}
	}
	n.Said = choice.Label()
}

// fromMeta reads the normalisation from the metadata, reporting whether
// it says one.
func (n *Normalization) fromMeta(meta map[string]string, channels int) bool {
	mean, mk := numbers(meta, MeanKeys, channels)
	std, sk := numbers(meta, StdKeys, channels)
	if mean != nil || std != nil {
		if mean == nil {
			mean, mk = []float64{0}, ""
		}
		if std == nil {
			std, sk = []float64{1}, ""
		}
		// The numbers' scale: 0..1, or bytes when any is above 1.
		bytes := false
		for _, v := range append(append([]float64(nil), mean...), std...) {
			bytes = bytes || v > 1
		}
		k := 1.0
		if bytes {
			k = 255
		}
		for _, s := range std {
			if !(s > 0) {
				return false
			}
		}
		for c := 0; c < 3; c++ {
			m, s := mean[min(c, len(mean)-1)], std[min(c, len(std)-1)]
			n.Scale[c], n.Offset[c] = float32(k/s), float32(-m/s)
		}
		n.From = mk
		if sk != "" {
			if n.From != "" {
				n.From += ", "
			}
			n.From += sk
		}
		n.Said = "mean " + list(mean) + ", std " + list(std)
		if bytes {
			n.Said += " (on the byte scale)"
		}
		return true
	}
	if v := Norm(lowerASCII(trim(meta[NormKey]))); v.Valid() && v != NormModel {
		n.set(v)
		n.From = NormKey
		return true
	}
	switch lowerASCII(trim(meta[PixelRangeKey])) {
	case "nominalrange_0_255":
		n.set(NormRaw)
	case "normalized_0_1":
		n.set(NormUnit)
	case "normalized_1_1":
		n.set(NormPM1)
	case "nominalrange_16_235":
		for c := 0; c < 3; c++ {
			n.Scale[c], n.Offset[c] = 219, 16
		}
		n.Said = "16 to 235"
	default:
		return false
	}
	n.From = PixelRangeKey
	return true
}

// numbers reads the first of keys holding one number or one per channel,
// returning them and the key.
func numbers(meta map[string]string, keys []string, channels int) ([]float64, string) {
	for _, k := range keys {
		s, ok := meta[k]
		if !ok {
			continue
		}
		var out []float64
		for _, f := range fields(s) {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
				out = nil
				break
			}
			out = append(out, v)
		}
		if len(out) == 1 || len(out) == channels {
			return out, k
		}
	}
	return nil, ""
}

// fields splits a list of numbers written as JSON ([0.5, 0.5]) or
// separated by commas or spaces.
func fields(s string) []string {
	var out []string
	start := -1
	for i := 0; i <= len(s); i++ {
		sep := i == len(s) || isSpace(s[i]) || s[i] == ',' || s[i] == '[' || s[i] == ']' || s[i] == '(' || s[i] == ')'
		switch {
		case sep && start >= 0:
			out = append(out, s[start:i])
			start = -1
		case !sep && start < 0:
			start = i
		}
	}
	return out
}

// list writes numbers for people: 0.485, 0.456, 0.406.
func list(v []float64) string {
	s := ""
	for i, x := range v {
		if i > 0 {
			s += ", "
		}
		s += strconv.FormatFloat(x, 'g', 6, 64)
	}
	return s
}

// lowerASCII lowers the ASCII letters of s.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

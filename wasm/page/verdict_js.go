package page

// showVerdict writes the answer t (verdict.go) into #prediction, its
// attributes, #confidence, the words before it and #verdict-why; nil
// empties them all, as for an empty pad:
//
//	#prediction[data-verdict]     "digit", "unsure" or "not-a-digit"; absent for an empty pad or a model without a rule
//	#prediction[data-digit]       the best class read ("7"), absent for not-a-digit and an empty pad
//	#prediction[data-candidates]  the two candidates, best first ("4 9"), only when unsure
func (a *answerView) showVerdict(t *answerText) {
	if t == nil {
		t = &answerText{lead: "It reads"}
	}
	a.pred.SetTextContent(t.prediction)
	setClass(a.pred, "long", len([]rune(t.prediction)) > 3)
	for _, kv := range [...][2]string{{"data-verdict", t.kind}, {"data-digit", t.digit}, {"data-candidates", t.candidates}} {
		if kv[1] == "" {
			a.pred.RemoveAttribute(kv[0])
		} else {
			a.pred.SetAttribute(kv[0], kv[1])
		}
	}
	a.conf.SetTextContent(t.confidence)
	a.lead.SetTextContent(t.lead)
	a.why.SetTextContent(t.why)
}

package lineage

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"unicode/utf8"
)

var svgTemplate = template.Must(template.New("svg").Funcs(template.FuncMap{
	"num":  func(f float64) string { return fmt.Sprintf("%.1f", f) },
	"path": pathData,
	"cut":  cut,
	"add":  func(a, b float64) float64 { return a + b },
}).Parse(`<svg xmlns="http://www.w3.org/2000/svg" class="lineage" viewBox="0 0 {{num .D.Width}} {{num .D.Height}}" width="{{num .D.Width}}" height="{{num .D.Height}}" role="img" aria-label="{{.Label}}">
<defs><marker id="{{.ID}}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" class="arrow"/></marker></defs>
{{- range .D.Paths}}
<path class="edge{{if .Reversed}} reversed{{end}}" d="{{path .Points}}" marker-end="url(#{{$.ID}}-arrow)" data-from="{{.From}}" data-to="{{.To}}"/>
{{- end}}
{{- range .D.Boxes}}
{{if .Href}}<a href="{{.Href}}" class="node-link">{{end}}<g class="node {{.Class}}{{if .Focus}} focus{{end}}" data-id="{{.ID}}">
<title>{{if .Title}}{{.Title}}{{else}}{{.Label}}{{end}}</title>
<rect x="{{num .X}}" y="{{num .Y}}" width="{{num .W}}" height="{{num .H}}" rx="6"/>
<text x="{{num (add .X 10)}}" y="{{num (add .Y 18)}}" class="label">{{cut .Label 28}}</text>
{{- if .Sub}}
<text x="{{num (add .X 10)}}" y="{{num (add .Y 34)}}" class="sub">{{cut .Sub 34}}</text>
{{- end}}
</g>{{if .Href}}</a>{{end}}
{{- end}}
</svg>`))

// SVG returns d as an inline SVG element. id prefixes the element ids it
// defines (its arrow marker), so that several drawings share a page; label
// is its accessible name. Every label, tooltip and link is escaped by
// html/template, and links that are not safe URLs are neutralised.
func SVG(d *Drawing, id, label string) (template.HTML, error) {
	var b bytes.Buffer
	if err := svgTemplate.Execute(&b, struct {
		D         *Drawing
		ID, Label string
	}{d, safeID(id), label}); err != nil {
		return "", err
	}
	// The template escaped every value; the result is safe to embed.
	return template.HTML(b.String()), nil
}

// pathData draws a polyline's points as one path: straight along the
// corridors of dummy nodes, a smooth S-curve between layers.
func pathData(pts []Point) string {
	if len(pts) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "M%.1f,%.1f", pts[0].X, pts[0].Y)
	for i := 1; i < len(pts); i++ {
		p, q := pts[i-1], pts[i]
		if p.Y == q.Y {
			fmt.Fprintf(&b, "L%.1f,%.1f", q.X, q.Y)
			continue
		}
		mx := (p.X + q.X) / 2
		fmt.Fprintf(&b, "C%.1f,%.1f %.1f,%.1f %.1f,%.1f", mx, p.Y, mx, q.Y, q.X, q.Y)
	}
	return b.String()
}

// cut shortens s to n characters (what fits in a box: 28 for a label, 34
// for its second line; the tooltip has it whole), ending in an ellipsis.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// safeID keeps the letters, digits, - and _ of id: an element id and a
// url(#...) reference need no escaping then.
func safeID(id string) string {
	id = strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return r
		}
		return '_'
	}, id)
	if id == "" {
		return "g"
	}
	return id
}

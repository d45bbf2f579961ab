package lineage

import (
	"bytes"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"unicode/utf8"
)

var svgTemplate = template.Must(template.New("svg").Parse(`<svg xmlns="http://www.w3.org/2000/svg" class="lineage" viewBox="0 0 {{.W}} {{.H}}" width="{{.W}}" height="{{.H}}" role="img" aria-label="{{.Label}}">
<defs><marker id="{{.ID}}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" class="arrow"/></marker></defs>
{{- range .Paths}}
<path class="{{.Class}}" d="{{.D}}" marker-end="url(#{{$.ID}}-arrow)"/>
{{- end}}
{{- range .Boxes}}
{{if .Href}}<a href="{{.Href}}" class="node-link">{{end}}<g class="{{.Class}}" data-id="{{.ID}}"><title>{{.Title}}</title>
<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" rx="6"/><text x="{{.TX}}" y="{{.TY}}" class="label">{{.Label}}</text>
{{- if .Sub}}<text x="{{.TX}}" y="{{.SY}}" class="sub">{{.Sub}}</text>{{end}}</g>{{if .Href}}</a>{{end}}
{{- end}}
</svg>`))

// svgBox and svgPath are a box and a path as the template writes them:
// numbers formatted, labels cut, classes joined.
type svgBox struct {
	ID, Class, Title, Href, Label, Sub string
	X, Y, W, H, TX, TY, SY             string
}

type svgPath struct{ Class, D string }

// SVG returns d as an inline SVG element. id prefixes the element ids it
// defines (its arrow marker), so that several drawings share a page; label
// is its accessible name. Every label, tooltip and link is escaped by
// html/template, and links that are not safe URLs are neutralised.
func SVG(d *Drawing, id, label string) (template.HTML, error) {
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
	v := struct {
		ID, Label, W, H string
		Boxes           []svgBox
		Paths           []svgPath
	}{ID: safeID(id), Label: label, W: num(d.Width), H: num(d.Height)}
	for _, p := range d.Paths {
		class := "edge"
		if p.Reversed {
			class = "edge reversed"
		}
		v.Paths = append(v.Paths, svgPath{Class: class, D: pathData(p.Points)})
	}
	for _, b := range d.Boxes {
		class := "node"
		if b.Class != "" {
			class += " " + b.Class
		}
		if b.Focus {
			class += " focus"
		}
		title := b.Title
		if title == "" {
			title = b.Label
		}
		v.Boxes = append(v.Boxes, svgBox{
			ID: b.ID, Class: class, Title: title, Href: b.Href, Label: cut(b.Label, 25), Sub: cut(b.Sub, 34),
			X: num(b.X), Y: num(b.Y), W: num(b.W), H: num(b.H), TX: num(b.X + 10), TY: num(b.Y + 18), SY: num(b.Y + 34),
		})
	}
	var buf bytes.Buffer
	if err := svgTemplate.Execute(&buf, v); err != nil {
		return "", err
	}
	// The template escaped every value; the result is safe to embed.
	return template.HTML(buf.String()), nil
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

// cut shortens s to n characters (what fits in a box: 25 for a label in bold, 34
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

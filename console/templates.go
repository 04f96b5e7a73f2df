package console

import (
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"
)

// rowData is one record row, as the records view and the live tail render it.
type rowData struct {
	Prefix string
	R      *userRecord
}

var funcs = template.FuncMap{
	"time": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05.000Z")
	},
	"pathesc": url.PathEscape,
	"short":   shortID,
	"join":    strings.Join,
	"row":     func(prefix string, r userRecord) rowData { return rowData{Prefix: prefix, R: &r} },
	"selected": func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	},
	"kib": func(n int) string {
		if n < 1024 {
			return fmt.Sprintf("%d B", n)
		}
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	},
}

// parsePages parses each page's template with the layout and the shared partials.
func parsePages() (map[string]*template.Template, error) {
	pages := map[string]*template.Template{}
	for _, name := range []string{"streams", "stream", "records", "tail", "publish", "consumers", "faults", "error"} {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("console: template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

package contract

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

// ruleJSON is one line of `buf config ls-breaking-rules --format json`.
type ruleJSON struct {
	ID           string     `json:"id"`
	Categories   []Category `json:"categories"`
	Default      bool       `json:"default"`
	Purpose      string     `json:"purpose"`
	Plugin       string     `json:"plugin"`
	Deprecated   bool       `json:"deprecated"`
	Replacements []string   `json:"replacements"`
}

// WriteRules lists rules as `buf config ls-breaking-rules` does: a table (format "text") or one
// JSON object per line ("json").
func WriteRules(w io.Writer, rules []Rule, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		for _, r := range rules {
			cats := r.Categories
			if cats == nil {
				cats = []Category{}
			}
			if err := enc.Encode(ruleJSON{ID: r.ID, Categories: cats, Default: r.Default, Purpose: r.Purpose}); err != nil {
				return err
			}
		}
		return nil
	case "text", "":
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tCATEGORIES\tDEFAULT\tPURPOSE")
		for _, r := range rules {
			def := ""
			if r.Default {
				def = "*"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.CategoriesString(), def, r.Purpose)
		}
		return tw.Flush()
	}
	return fmt.Errorf("invalid format %q: must be one of [text,json]", format)
}

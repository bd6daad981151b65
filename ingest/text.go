package ingest

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/shiptrack/shiptrack/routes"
)

// aisText makes a free-text AIS field fit to store: NUL characters, which
// some decoders pad names with and PostgreSQL cannot keep in text, are
// dropped, and bytes that are not UTF-8 become U+FFFD, so that both stores
// keep the same text and neither fails on it.
func aisText(s string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}

// nulText finds the strings in d that hold a NUL character. JSON may carry
// one ("\u0000"), but PostgreSQL cannot store it in text: the stores would
// disagree, one writing it and the other failing. Paths name fields by
// their JSON names, as routes.Prepare does.
func nulText(d *routes.Document) routes.ValidationError {
	var errs routes.ValidationError
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		if len(errs) >= maxFileErrors {
			return
		}
		switch v.Kind() {
		case reflect.String:
			if strings.IndexByte(v.String(), 0) >= 0 {
				errs = append(errs, routes.FieldError{Path: path, Msg: "holds a NUL character (\\u0000), which no text may"})
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
			}
		case reflect.Struct:
			for i := range v.NumField() {
				f := v.Type().Field(i)
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				if f.IsExported() && name != "-" && name != "" {
					walk(v.Field(i), joinPath(path, name))
				}
			}
		}
	}
	walk(reflect.ValueOf(d).Elem(), "")
	return errs
}

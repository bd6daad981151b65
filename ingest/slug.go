package ingest

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// maxSlug is the longest id routes.Prepare accepts.
const maxSlug = 64

// translit spells letters that lose more than an accent on their way to
// ASCII: Cyrillic after BGN/PCGN romanization (the reporting on this case
// writes Russian names so: Tikhoretsk, Vostochnyy), and the Latin letters
// that Unicode does not decompose. An empty spelling drops the letter (the
// hard and soft signs) rather than breaking the word.
var translit = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu",
	'я': "ya", 'і': "i", 'ї': "yi", 'є': "ye", 'ґ': "g",
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th", 'ı': "i",
	'\'': "", '’': "",
}

// slugify derives an id from a name: lower-case ASCII letters and digits,
// accents dropped, Cyrillic romanized, every other run of characters one
// hyphen, cut to maxSlug at a hyphen where it can be. The same name always
// gives the same id; a name with nothing to spell it by (Korean script, say)
// gives "".
func slugify(name string) string {
	var b strings.Builder
	gap := false
	put := func(s string) {
		if gap && b.Len() > 0 {
			b.WriteByte('-')
		}
		gap = false
		b.WriteString(s)
	}
	for _, r := range strings.ToLower(name) {
		if t, ok := translit[r]; ok {
			if t != "" {
				put(t)
			}
			continue
		}
		for _, d := range norm.NFKD.String(string(r)) {
			switch {
			case 'a' <= d && d <= 'z', '0' <= d && d <= '9':
				put(string(d))
			case unicode.Is(unicode.Mn, d):
				// An accent, decomposed from its letter.
			default:
				gap = true
			}
		}
	}
	s := b.String()
	if len(s) > maxSlug {
		s = s[:maxSlug]
		if i := strings.LastIndexByte(s, '-'); i > maxSlug/2 {
			s = s[:i]
		}
		s = strings.TrimRight(s, "-")
	}
	return s
}

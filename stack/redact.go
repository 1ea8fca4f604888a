package stack

import "regexp"

var (
	// userinfo passwords in URLs: scheme://user:secret@host
	urlPassword = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:)[^@\s/]*@`)
	// key=value passwords in libpq conninfo strings and environments.
	kvPassword = regexp.MustCompile(`(?i)\b(password|PGPASSWORD)(\s*=\s*)('[^']*'|\S+)`)
)

// Redact hides passwords in URLs (as url.URL.Redacted does) and in
// password= settings, for anything printed or recorded: a stack's URLs and
// the environments of its services carry its passwords, and so does the
// output of commands run against it. It is the project's one redaction.
func Redact(s string) string {
	s = urlPassword.ReplaceAllString(s, "${1}xxxxx@")
	return kvPassword.ReplaceAllString(s, "${1}${2}xxxxx")
}

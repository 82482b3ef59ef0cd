package ollama

import "strings"

// latestTag is the tag Ollama gives a model named without one.
const latestTag = ":latest"

// splitTag splits a model name into its name and its tag ("" when it has
// none). A colon before the last slash is a registry's port
// (localhost:5000/me/model), not a tag.
func splitTag(name string) (base, tag string) {
	slash := strings.LastIndex(name, "/")
	if i := strings.LastIndex(name, ":"); i > slash {
		return name[:i], name[i+1:]
	}
	return name, ""
}

// NormalName is the one form of a model name the Studio compares: trimmed,
// and tagged ":latest" when it has no tag, as Ollama itself reads it, so
// "nomic-embed-text" and "nomic-embed-text:latest" are one model. An empty
// name stays empty.
func NormalName(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	if _, tag := splitTag(name); tag == "" {
		return strings.TrimSuffix(name, ":") + latestTag
	}
	return name
}

// DisplayName is how the Studio shows a model name: without the implied
// ":latest" tag ("nomic-embed-text"), other tags kept ("llama3.2:1b").
func DisplayName(name string) string {
	return strings.TrimSuffix(NormalName(name), latestTag)
}

// SameModel tells whether two names name the same model.
func SameModel(a, b string) bool {
	na, nb := NormalName(a), NormalName(b)
	return na != "" && na == nb
}

// Installed returns the name under which the server lists the model name
// (so "tiny" becomes "tiny:latest" when that is installed), or name itself
// when none matches.
func Installed(models []Model, name string) string {
	for _, m := range models {
		if SameModel(m.Name, name) {
			return m.Name
		}
	}
	return strings.TrimSpace(name)
}

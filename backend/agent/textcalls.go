package agent

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/ollama/ollama/api"
)

// Some models (or templates) write a tool call into the answer's text
// instead of returning it natively: a JSON object {"name": …, "arguments":
// {…}}, alone or in a ```json block or <tool_call> tags. textCalls reads
// those; an answer that clearly tries to call a tool but whose JSON does not
// parse is an error the model is told about.

var (
	fenced  = regexp.MustCompile("(?s)^```(?:json)?\\s*(.*?)\\s*```$")
	tagged  = regexp.MustCompile(`(?s)<tool_call>\s*(.*?)\s*(?:</tool_call>|$)`)
	callish = regexp.MustCompile(`^\{\s*"(?:name|function)"\s*:`)
)

// textCall is the JSON a model writes for a call.
type textCall struct {
	Name      string          `json:"name"`
	Function  string          `json:"function"`
	Arguments json.RawMessage `json:"arguments"`
	Params    json.RawMessage `json:"parameters"`
}

// textCalls returns the calls written in content (none for ordinary text).
func textCalls(content string) ([]api.ToolCall, error) {
	s := strings.TrimSpace(content)
	var bodies []string
	if m := tagged.FindAllStringSubmatch(s, -1); m != nil {
		for _, x := range m {
			bodies = append(bodies, x[1])
		}
	} else {
		if m := fenced.FindStringSubmatch(s); m != nil {
			s = m[1]
		}
		if !callish.MatchString(s) {
			return nil, nil // words, not a call
		}
		bodies = []string{s}
	}
	var out []api.ToolCall
	for i, body := range bodies {
		var tc textCall
		if err := json.Unmarshal([]byte(body), &tc); err != nil {
			return nil, fmt.Errorf("the tool call in your answer is not valid JSON (%v); call tools natively, with a JSON object of arguments", err)
		}
		name := tc.Name
		if name == "" {
			name = tc.Function
		}
		raw := tc.Arguments
		if len(raw) == 0 {
			raw = tc.Params
		}
		if name == "" {
			return nil, errors.New("the tool call in your answer names no tool")
		}
		// Arguments given as a JSON string holding the object (as OpenAI-style
		// APIs do) are accepted too.
		var str string
		if json.Unmarshal(raw, &str) == nil {
			raw = json.RawMessage(str)
		}
		if len(raw) == 0 {
			raw = json.RawMessage("{}")
		}
		args := api.NewToolCallFunctionArguments()
		if err := json.Unmarshal(raw, &args); err != nil {
			return nil, fmt.Errorf("the arguments of %s are not a valid JSON object (%v)", name, err)
		}
		out = append(out, api.ToolCall{Function: api.ToolCallFunction{Index: i, Name: name, Arguments: args}})
	}
	return out, nil
}

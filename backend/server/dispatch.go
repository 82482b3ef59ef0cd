package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"unicode"
)

// errorType is the reflect type of the error interface.
var errorType = reflect.TypeFor[error]()

// method is one exported method of the API value, callable with JSON arguments.
type method struct {
	name string
	fn   reflect.Value
	in   []reflect.Type
	// outs: which results exist: a value, an error, both or neither.
	hasValue, hasErr bool
}

// methodTable collects the exported methods of api the way Wails binds them
// (every exported method; arguments and results JSON-encoded), so the HTTP
// API and the desktop bindings are the same set of calls.
func methodTable(api any) (map[string]method, error) {
	v := reflect.ValueOf(api)
	t := v.Type()
	if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("server: API must be a pointer to a struct, got %s", t)
	}
	table := make(map[string]method, t.NumMethod())
	for i := 0; i < t.NumMethod(); i++ {
		m := t.Method(i)
		if !unicode.IsUpper(rune(m.Name[0])) {
			continue
		}
		mt := m.Type
		md := method{name: m.Name, fn: v.Method(i)}
		for j := 1; j < mt.NumIn(); j++ {
			md.in = append(md.in, mt.In(j))
		}
		switch mt.NumOut() {
		case 0:
		case 1:
			if mt.Out(0) == errorType {
				md.hasErr = true
			} else {
				md.hasValue = true
			}
		case 2:
			if mt.Out(1) != errorType {
				return nil, fmt.Errorf("server: method %s: second result must be error", m.Name)
			}
			md.hasValue, md.hasErr = true, true
		default:
			return nil, fmt.Errorf("server: method %s: at most two results", m.Name)
		}
		table[m.Name] = md
	}
	return table, nil
}

// errBadArgs marks a call whose arguments do not fit the method.
var errBadArgs = errors.New("bad arguments")

// call decodes raw (a JSON array) into the method's parameters and calls it.
// A returned callErr is the method's own error (an outcome to show the user);
// err is a protocol problem.
func (m method) call(raw []byte) (result any, callErr error, err error) {
	var args []json.RawMessage
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &args); err != nil {
			return nil, nil, fmt.Errorf("%w: body must be a JSON array: %v", errBadArgs, err)
		}
	}
	if len(args) != len(m.in) {
		return nil, nil, fmt.Errorf("%w: %s takes %d argument(s), got %d", errBadArgs, m.name, len(m.in), len(args))
	}
	in := make([]reflect.Value, len(m.in))
	for i, t := range m.in {
		p := reflect.New(t)
		if err := json.Unmarshal(args[i], p.Interface()); err != nil {
			return nil, nil, fmt.Errorf("%w: %s argument %d: %v", errBadArgs, m.name, i+1, err)
		}
		in[i] = p.Elem()
	}
	out := m.fn.Call(in)
	if m.hasErr {
		if e := out[len(out)-1]; !e.IsNil() {
			callErr = e.Interface().(error)
		}
	}
	if m.hasValue {
		result = out[0].Interface()
	}
	return result, callErr, nil
}

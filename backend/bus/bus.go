// Package bus carries notifications from the backend to the UI. The desktop
// shell forwards them as Wails events and `serve` forwards them over a
// WebSocket, so the frontend sees the same stream in both modes.
package bus

import "sync"

// Names of the notifications the UI listens to; mirrored in
// frontend/src/bridge/events.ts.
const (
	OllamaStatusChanged = "ollama.status"
	WorkspaceOpened     = "workspace.opened"
	RecentChanged       = "recent.changed"
	EventsAppended      = "events.appended"
	RunChanged          = "run.changed"
	WorkspaceClosed     = "workspace.closed"
	WorkspaceStatus     = "workspace.status"
	FilesChanged        = "workspace.files"
	SearchResults       = "search.results"
	Notice              = "studio.notice"        // a message for the user (string)
	CapabilitiesChanged = "capabilities.changed" // a workspace's policy or grants changed
	MemoriesChanged     = "memories.changed"     // memories or proposals changed
	ModelPull           = "model.pull"           // progress of a model download (studio.PullState)
	AgentUpdate         = "agent.update"         // live progress of an agent run (agent.Update)
	ThreadChanged       = "thread.changed"       // a conversation changed (studio.ThreadChangedPayload)
	MCPChanged          = "mcp.changed"          // a workspace's MCP servers changed (studio.WorkspaceRequest)
)

// Message is one notification: a stable name and a JSON-encodable payload.
type Message struct {
	Name string `json:"name"`
	Data any    `json:"data"`
}

// Bus fans messages out to subscribers. Publishing never blocks on a slow
// subscriber: each has a bounded buffer and messages past it are dropped for
// that subscriber only (the UI re-reads state on reconnect).
type Bus struct {
	mu   sync.Mutex
	subs map[int]chan Message
	next int
}

// New returns an empty bus.
func New() *Bus { return &Bus{subs: make(map[int]chan Message)} }

// Publish delivers m to every current subscriber.
func (b *Bus) Publish(name string, data any) {
	m := Message{Name: name, Data: data}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, ch := range b.subs {
		select {
		case ch <- m:
		default:
		}
	}
}

// Subscribe returns a channel of messages and a function that ends the
// subscription and closes the channel.
func (b *Bus) Subscribe(buffer int) (<-chan Message, func()) {
	ch := make(chan Message, buffer)
	b.mu.Lock()
	id := b.next
	b.next++
	b.subs[id] = ch
	b.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs, id)
			b.mu.Unlock()
			close(ch)
		})
	}
}

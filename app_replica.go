package main

import "github.com/ice-studio/ice-studio/backend/studio"

// Replica is the event log's replication: where to, how far, any error.
func (a *App) Replica() studio.ReplicaView { return a.studio.Replica() }

// SetReplica configures the replica (an empty URL removes it) and restarts
// replication.
func (a *App) SetReplica(req studio.SetReplicaRequest) (studio.ReplicaView, error) {
	return a.studio.SetReplica(req)
}

// SyncReplica copies the log to the replica now and records the anchor.
func (a *App) SyncReplica() (studio.ReplicaView, error) { return a.studio.SyncReplica() }

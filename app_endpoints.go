package main

import "github.com/ice-studio/ice-studio/backend/studio"

// Endpoints lists the model endpoints with their health and models.
func (a *App) Endpoints() ([]studio.EndpointView, error) { return a.studio.Endpoints() }

// AddEndpoint adds (or replaces, by name) a model endpoint.
func (a *App) AddEndpoint(req studio.AddEndpointRequest) ([]studio.EndpointView, error) {
	return a.studio.AddEndpoint(req)
}

// RemoveEndpoint removes a configured model endpoint.
func (a *App) RemoveEndpoint(req studio.EndpointRequest) ([]studio.EndpointView, error) {
	return a.studio.RemoveEndpoint(req)
}

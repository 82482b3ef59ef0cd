package main

import "github.com/ice-studio/ice-studio/backend/studio"

// GetSettings returns the Studio's settings, each with where it comes from.
func (a *App) GetSettings() studio.Settings { return a.studio.GetSettings() }

// SetSettings checks and saves a change of settings (settings.json).
func (a *App) SetSettings(patch studio.SettingsPatch) (studio.Settings, error) {
	return a.studio.SetSettings(patch)
}

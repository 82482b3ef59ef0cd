package kernel

// SetBeforeWriteHook installs f to run in applyTo after a journal entry's
// path was judged and before the file is written (tests only: it makes a
// check-then-use race deterministic). It returns a function undoing it.
func SetBeforeWriteHook(f func(root, rel string)) (undo func()) {
	old := testHookBeforeWrite
	testHookBeforeWrite = f
	return func() { testHookBeforeWrite = old }
}

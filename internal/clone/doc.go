// Package clone is the standby clone (`birdseye clone`, CRON_CLONE_STANDBY):
// the Python tool's clone_standby.py. A consistent copy of the primary's
// databases and configuration is staged, pushed to a standby host over SSH
// and installed into one or more stacks there.
//
// So far it holds the parts that need no remote: the CLONE_* target and
// path lists, the CLONE_MIN_ROWS guard, and Stage, which builds the payload
// with a MANIFEST.json and a SHA256SUMS the standby checks with coreutils.
package clone

// Package clone is the standby clone (`birdseye clone`, CRON_CLONE_STANDBY):
// the Python tool's clone_standby.py. A consistent copy of the primary's
// databases and configuration is staged, pushed to a standby host over SSH
// and installed into one or more stacks there.
//
// This file set holds the parts that need no remote: the CLONE_MIN_ROWS
// guard and the `local:dest[:sync|seed]` path lists.
package clone

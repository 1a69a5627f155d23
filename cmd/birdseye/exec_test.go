package main

import "os/exec"

func execOutput(path string, args ...string) (string, error) {
	out, err := exec.Command(path, args...).Output()
	return string(out), err
}

func execEnvOutput(path string, env []string, args ...string) (string, error) {
	cmd := exec.Command(path, args...)
	cmd.Env = env
	out, err := cmd.Output()
	return string(out), err
}

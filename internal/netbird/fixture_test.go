package netbird

import "os"

func fixture(name string) ([]byte, error) { return os.ReadFile("testdata/" + name) }

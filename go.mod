module github.com/styliteag/birdseye

go 1.26

require github.com/stretchr/testify v1.12.1

require (
	github.com/alecthomas/kong v1.17.0 // indirect
	github.com/kelseyhightower/envconfig v1.4.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)

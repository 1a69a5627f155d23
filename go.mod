module github.com/styliteag/birdseye

go 1.26.0

require (
	github.com/alecthomas/kong v1.17.0
	github.com/kelseyhightower/envconfig v1.4.0
	github.com/stretchr/testify v1.12.1
	golang.org/x/crypto/x509roots/fallback v0.0.0-20261030153154-30a33513ff6d
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect

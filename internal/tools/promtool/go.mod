module github.com/styliteag/birdseye/internal/tools/promtool

go 1.26.0

package netbird

import "fmt"

// Collect reads pages 1, 2, … until it has limit items or the last page.
// It asks for one page size throughout: these endpoints page by offset
// ((page-1)*size), so a smaller last request would skip or repeat items.
func Collect[T any](limit, pageSize int, fetch func(page, size int) (items []T, totalPages int, err error)) ([]T, error) {
	var out []T
	size := min(pageSize, limit)
	for page := 1; len(out) < limit; page++ {
		items, total, err := fetch(page, size)
		if err != nil {
			return out, fmt.Errorf("page %d: %w", page, err)
		}
		out = append(out, items...)
		if len(items) == 0 || page >= total {
			break
		}
	}
	return out[:min(len(out), limit)], nil
}

#!/usr/bin/env bash
# release.sh patch|minor|major|X.Y.Z [--dry-run]
#
# Bumps VERSION (or sets it to X.Y.Z, which may equal VERSION when that is
# not tagged yet: the Go line's first release, 1.0.0, is made so), moves the "## [Unreleased]" section of CHANGELOG.md under the
# new version with today's date (UTC), commits, tags vX.Y.Z and pushes both;
# the tag starts the image build. Refuses a dirty working tree, an empty
# Unreleased section and a tag that exists already. --dry-run says what it
# would do and changes nothing.
set -euo pipefail

die() { echo "release.sh: $*" >&2; exit 1; }
usage() { echo "usage: release.sh patch|minor|major|X.Y.Z [--dry-run]" >&2; exit 2; }

bump="" dry=false
for arg in "$@"; do
  case "$arg" in
    patch|minor|major|[0-9]*.[0-9]*.[0-9]*) [ -z "$bump" ] || usage; bump=$arg ;;
    --dry-run) dry=true ;;
    *) usage ;;
  esac
done
[ -n "$bump" ] || usage

cd "$(git rev-parse --show-toplevel)"
[ -z "$(git status --porcelain)" ] || die "the working tree has uncommitted changes; commit or stash them first"
[ -f CHANGELOG.md ] || die "CHANGELOG.md is missing"

current=$(tr -d ' \n' < VERSION 2>/dev/null || echo 0.0.0)
[[ "$current" =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] || die "VERSION holds '$current', expected X.Y.Z"
major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]} patch=${BASH_REMATCH[3]}
case "$bump" in
  major) next="$((major + 1)).0.0" ;;
  minor) next="$major.$((minor + 1)).0" ;;
  patch) next="$major.$minor.$((patch + 1))" ;;
  *)
    [[ "$bump" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || usage
    next=$bump
    lowest=$(printf '%s\n%s\n' "$current" "$next" | sort -V | head -1)
    [ "$lowest" = "$current" ] || die "$next is below VERSION $current"
    ;;
esac
tag="v$next"

# The Unreleased section: from its heading to the next "## [" heading.
unreleased=$(awk '/^## \[Unreleased\]/{on=1; next} /^## \[/{on=0} on' CHANGELOG.md | grep -v '^[[:space:]]*$' || true)
grep -q '^## \[Unreleased\]' CHANGELOG.md || die "CHANGELOG.md has no '## [Unreleased]' section"
echo "$unreleased" | grep -q '^- ' || die "the Unreleased section of CHANGELOG.md lists no changes; nothing to release"
if git rev-parse -q --verify "refs/tags/$tag" >/dev/null; then die "tag $tag exists already"; fi

today=${RELEASE_DATE:-$(date -u +%Y-%m-%d)}
echo "release $current -> $next ($tag, $today)"
if $dry; then
  echo "dry run: would write VERSION, move Unreleased under '## [$next] - $today', commit, tag $tag and push"
  exit 0
fi

echo "$next" > VERSION
awk -v ver="$next" -v day="$today" '
  /^## \[Unreleased\]/ && !done { print; print ""; print "## [" ver "] - " day; done=1; next }
  { print }' CHANGELOG.md > CHANGELOG.md.tmp
mv CHANGELOG.md.tmp CHANGELOG.md
git add VERSION CHANGELOG.md
git commit -q -m "chore: release $tag"
git tag -a "$tag" -m "birdseye $next"
git push -q origin HEAD
git push -q origin "$tag"
echo "released $tag"

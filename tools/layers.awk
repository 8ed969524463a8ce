# tools/layers.sh's reader: FILE:LINE:#include "NAME" lines in, findings
# out. order: loader/'s folders, lowest first; "." is loader/ itself.
# folders: those there are.

function exists(path, line, got)
{
	got = (getline line < path)
	if (got >= 0)
		close(path)
	return got >= 0
}

# path without "." and "dir/.." steps
function normal(path, parts, kept, n, k, i, out)
{
	n = split(path, parts, "/")
	k = 0
	for (i = 1; i <= n; i++) {
		if (parts[i] == "" || parts[i] == ".")
			continue
		if (parts[i] == ".." && k > 0 && kept[k] != "..") {
			k--
			continue
		}
		kept[++k] = parts[i]
	}
	out = kept[1]
	for (i = 2; i <= k; i++)
		out = out "/" kept[i]
	return out
}

# the folder of loader/ that path lies in, "." for loader/ itself
function folder(path)
{
	sub(/^loader\//, "", path)
	return path ~ /\// ? substr(path, 1, index(path, "/") - 1) : "."
}

function shown(f)
{
	return f == "." ? "loader/" : f "/"
}

# The header the compiler takes for name, included from file: the
# including file's folder first, then -Iinclude, then -Iloader. "" when it
# is none of loader/'s.
function resolve(file, name, dir)
{
	dir = file
	sub(/\/[^\/]*$/, "", dir)
	if (exists(dir "/" name))
		return normal(dir "/" name)
	if (exists("include/" name) || !exists("loader/" name))
		return ""
	return normal("loader/" name)
}

function fail(msg)
{
	print msg > "/dev/stderr"
	failed = 1
}

BEGIN {
	n_layers = split(order, layer, " ")
	rank["."] = 0
	ladder = "loader/"
	for (i = 1; i <= n_layers; i++) {
		rank[layer[i]] = i
		ladder = ladder " " layer[i] "/"
	}
	n = split(folders, there, " ")
	for (i = 1; i <= n; i++)
		if (!(there[i] in rank))
			fail("loader/" there[i] "/: a folder with no place in the layer order (" ladder ")")
}

{
	file = $0
	sub(/:.*/, "", file)
	line = substr($0, length(file) + 2)
	sub(/:.*/, "", line)
	name = substr($0, length(file) + length(line) + 3)
	sub(/^[^"]*"/, "", name)
	sub(/".*/, "", name)
	from = folder(file)
	target = resolve(file, name)
	if (target !~ /^loader\//)
		next
	to = folder(target)
	includes++
	if (to == from || !(from in rank) || !(to in rank))
		next
	if (!((from, to) in site)) {
		site[from, to] = file ":" line ": includes \"" name "\""
		edges++
		edge_from[edges] = from
		edge_to[edges] = to
		out[from] = out[from] " " to
	}
	if (rank[to] > rank[from])
		fail(file ":" line ": \"" name "\": " shown(to) " lies above " shown(from) \
		     " (layers, lowest first: " ladder ")")
}

# A path from start back to goal along the includes, as "a b ... goal", or
# "" when there is none (breadth first: the shortest).
function path_back(start, goal, queue, parent, next_of, head, tail, u, v, i, n, p, path)
{
	head = tail = 1
	queue[1] = start
	parent[start] = ""
	while (head <= tail) {
		u = queue[head++]
		n = split(out[u], next_of, " ")
		for (i = 1; i <= n; i++) {
			v = next_of[i]
			if (v in parent)
				continue
			parent[v] = u
			if (v == goal) {
				for (p = v; p != start; p = parent[p])
					path = p " " path
				return start " " path
			}
			queue[++tail] = v
		}
	}
	return ""
}

# The cycle's folders (hop[1] to hop[n - 1]) in the order's order: the
# same whichever of its includes found it.
function cycle_key(hop, n, in_cycle, i, key)
{
	for (i = 1; i < n; i++)
		in_cycle[hop[i]] = 1
	key = "." in in_cycle ? "." : ""
	for (i = 1; i <= n_layers; i++)
		if (layer[i] in in_cycle)
			key = key " " layer[i]
	return key
}

END {
	for (e = 1; e <= edges; e++) {
		path = path_back(edge_to[e], edge_from[e])
		if (path == "")
			continue
		n = split(edge_from[e] " " path, hop, " ")
		key = cycle_key(hop, n)
		if (key in cycle)
			continue
		cycle[key] = 1
		ring = shown(hop[1])
		for (i = 2; i <= n; i++)
			ring = ring " -> " shown(hop[i])
		fail("include cycle between loader/'s folders: " ring)
		for (i = 1; i < n; i++)
			fail(site[hop[i], hop[i + 1]])
	}
	if (failed)
		exit 1
	printf "layers: %d includes of loader/'s headers, none against the order (%s)\n", \
	       includes, ladder
}

package contract

import "sort"

// Rules that compare packages: an element may move between the files of a package, but must
// not leave the package.

// packageElements maps package -> nested name -> the file and position of each element that
// pick selects from a file.
type packaged struct {
	file *File
	loc  *location
}

func byPackage(x *index, pick func(*fileIndex, func(nested string, loc *location))) map[string]map[string]packaged {
	out := make(map[string]map[string]packaged)
	for pkg, files := range x.packages {
		m := make(map[string]packaged)
		for _, fi := range files {
			fi := fi
			pick(fi, func(nested string, loc *location) { m[nested] = packaged{fi.file, loc} })
		}
		out[pkg] = m
	}
	return out
}

// packageNoDelete builds the rules for enums, messages and extensions. When the file that held
// a deleted element is still there, buf attaches the finding to the closest enclosing message
// still present: for enums and extensions, a message of that file; for messages (packageWide),
// a message anywhere in the package, so that a nested message deleted after its parent moved
// to another file of the package is reported at the parent, in that file. kind names the
// element in the message.
func packageNoDelete(kind string, pick func(*fileIndex, func(string, *location)), packageWide bool) func(*pass) {
	return func(p *pass) {
		cur := byPackage(p.curIdx, pick)
		for pkg, prevElems := range byPackage(p.prevIdx, pick) {
			curElems, ok := cur[pkg]
			if !ok {
				continue
			}
			var pkgMessages map[string]*message
			for nested, pe := range prevElems {
				if _, ok := curElems[nested]; ok {
					continue
				}
				var loc *location
				fallback := ""
				if fi, ok := p.curIdx.byPath[pe.file.Path]; ok {
					fallback = fi.file.Path
					if !packageWide {
						loc = deletedElementLoc(fi, nested)
					} else {
						if pkgMessages == nil {
							pkgMessages = messagesByNestedName(p.curIdx.packages[pkg])
						}
						if m := enclosingMessage(pkgMessages, nested); m != nil {
							loc, fallback = m.loc(), m.file.Path
						}
					}
				}
				p.report(loc, pe.loc, fallback, "Previously present %s %q was deleted from package %q.", kind, nested, pkg)
			}
		}
	}
}

func pickEnums(fi *fileIndex, add func(string, *location)) {
	for _, e := range fi.enums {
		add(e.nested, e.loc())
	}
}

func pickMessages(fi *fileIndex, add func(string, *location)) {
	for _, m := range fi.messages {
		add(m.nested, m.loc())
	}
}

func pickExtensions(fi *fileIndex, add func(string, *location)) {
	for _, x := range fi.extensions {
		add(x.nested, x.loc())
	}
}

func checkPackageServiceNoDelete(p *pass) {
	pick := func(fi *fileIndex, add func(string, *location)) {
		for _, s := range fi.services {
			add(s.proto.GetName(), locate(s.file, s.path))
		}
	}
	cur := byPackage(p.curIdx, pick)
	for pkg, prevElems := range byPackage(p.prevIdx, pick) {
		curElems, ok := cur[pkg]
		if !ok {
			continue
		}
		for name, pe := range prevElems {
			if _, ok := curElems[name]; ok {
				continue
			}
			fallback := ""
			if _, ok := p.curIdx.byPath[pe.file.Path]; ok {
				fallback = pe.file.Path
			}
			p.report(nil, pe.loc, fallback, "Previously present service %q was deleted from package %q.", name, pkg)
		}
	}
}

func checkPackageNoDelete(p *pass) {
	for pkg, files := range p.prevIdx.packages {
		if _, ok := p.curIdx.packages[pkg]; ok {
			continue
		}
		paths := make([]string, len(files))
		byPath := make(map[string]*File, len(files))
		for i, fi := range files {
			paths[i] = fi.file.Path
			byPath[fi.file.Path] = fi.file
		}
		sort.Strings(paths)
		p.report(nil, fileOnly(byPath[paths[0]]), "", "Previously present package %q was deleted.", pkg)
	}
}

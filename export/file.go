package export

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrExists is returned, wrapped with the path, when an export would replace
// something that exists and replacing was not asked for.
var ErrExists = errors.New("already exists; give --force to replace it")

// Files are written where a reader can never see half of one: into a
// temporary file beside the target, synced, then renamed over it. A failure
// or an interrupt (a cancelled context) removes the temporary file; only a
// process killed outright leaves one behind, named .NAME.tmp-*, beside the
// target.

// staged is a temporary file written beside its target.
type staged struct {
	tmp, target string
}

// stage makes an empty temporary file beside target, after checking that
// target may be written: it is not a directory and, unless force, does not
// exist.
func stage(target string, force bool) (*staged, error) {
	info, err := os.Stat(target)
	switch {
	case err == nil && info.IsDir():
		return nil, fmt.Errorf("%s is a directory, not a file", target)
	case err == nil && !force:
		return nil, fmt.Errorf("%s %w", target, ErrExists)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("cannot write %s: %w", target, bare(err))
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", target, bare(err))
	}
	// CreateTemp makes the file private; an export is an ordinary file.
	err = errors.Join(f.Chmod(0o644), f.Close())
	s := &staged{tmp: f.Name(), target: target}
	if err != nil {
		s.discard()
		return nil, fmt.Errorf("cannot write %s: %w", target, err)
	}
	return s, nil
}

// discard removes the temporary file.
func (s *staged) discard() { os.Remove(s.tmp) }

// sync flushes the temporary file to disk, so that the rename publishes a
// whole file even if the machine stops just after.
func (s *staged) sync() error {
	f, err := os.OpenFile(s.tmp, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("write %s: %w", s.target, err)
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		return fmt.Errorf("write %s: %w", s.target, err)
	}
	return nil
}

// publish renames the synced temporary file to its target. Without force,
// it refuses to replace a target that appeared meanwhile: the file is
// linked into place, which fails if the name is taken.
func (s *staged) publish(force bool) error {
	if force {
		if err := os.Rename(s.tmp, s.target); err != nil {
			return fmt.Errorf("write %s: %w", s.target, err)
		}
	} else {
		err := os.Link(s.tmp, s.target)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s %w", s.target, ErrExists)
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", s.target, err)
		}
		os.Remove(s.tmp)
	}
	return syncDir(filepath.Dir(s.target))
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// WriteFile writes target by handing write a temporary file's path beside
// it, then syncing and renaming the file into place. Unless force, an
// existing target is refused with ErrExists. When write fails, nothing is
// left behind.
func WriteFile(target string, force bool, write func(tmp string) error) error {
	s, err := stage(target, force)
	if err != nil {
		return err
	}
	if err := write(s.tmp); err != nil {
		s.discard()
		return err
	}
	if err := s.sync(); err != nil {
		s.discard()
		return err
	}
	if err := s.publish(force); err != nil {
		s.discard()
		return err
	}
	return nil
}

// WriteFiles writes several files into dir at once, as WriteFile writes one:
// every file is staged first and, only when all are written, renamed into
// place. A missing dir is created, and removed again on failure. An
// existing dir is refused unless force; with force, the named files in it
// are replaced and nothing else in it is touched.
func WriteFiles(dir string, force bool, names []string, write func(tmp map[string]string) error) error {
	info, err := os.Stat(dir)
	created := false
	switch {
	case err == nil && !info.IsDir():
		return fmt.Errorf("%s is a file, not a directory", dir)
	case err == nil && !force:
		return fmt.Errorf("directory %s %w", dir, ErrExists)
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Mkdir(dir, 0o755); err != nil {
			return fmt.Errorf("cannot create directory %s: %w", dir, bare(err))
		}
		created = true
	case err != nil:
		return fmt.Errorf("cannot write %s: %w", dir, bare(err))
	}
	fail := func(ss []*staged, err error) error {
		for _, s := range ss {
			s.discard()
		}
		if created {
			os.Remove(dir)
		}
		return err
	}
	var ss []*staged
	tmp := map[string]string{}
	for _, name := range names {
		s, err := stage(filepath.Join(dir, name), true)
		if err != nil {
			return fail(ss, err)
		}
		ss = append(ss, s)
		tmp[name] = s.tmp
	}
	if err := write(tmp); err != nil {
		return fail(ss, err)
	}
	for _, s := range ss {
		if err := s.sync(); err != nil {
			return fail(ss, err)
		}
	}
	for i, s := range ss {
		if err := os.Rename(s.tmp, s.target); err != nil {
			return fail(ss[i:], fmt.Errorf("write %s: %w", s.target, err))
		}
	}
	return syncDir(dir)
}

// bare drops the *fs.PathError around err: the message names the target
// already, and the path in the error may be a temporary file's, which would
// only confuse.
func bare(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

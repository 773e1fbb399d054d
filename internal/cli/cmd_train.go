package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mosaic-intel/mosaic/internal/extract/conll"
	"github.com/mosaic-intel/mosaic/internal/extract/gazetteer"
	"github.com/mosaic-intel/mosaic/internal/extract/ner"
)

func trainCmd() *Command {
	return &Command{
		Name:  "train",
		Short: "train statistical models (ner)",
		Usage: "mosaic train MODEL [FLAGS]",
		Subs:  []*Command{trainNERCmd()},
	}
}

func trainNERCmd() *Command {
	c := &Command{
		Name:  "ner",
		Short: "train the named-entity tagger on CoNLL-format data",
		Usage: "mosaic train ner --train FILE [--dev FILE] [--out PATH] [--epochs N] [--bits N] [--folds K] [--seed S]",
		Long: `Trains the two-pass averaged-perceptron tagger on a CoNLL file (word in the
first column, IOB tag in the last; -DOCSTART- separates documents) and writes
the gzip-compressed model. Training is deterministic for fixed flags. The
default --out is the model embedded into the next build of mosaic.`,
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := NewFlagSet(env, c)
		trainPath := fs.String("train", "", "training data (CoNLL)")
		devPath := fs.String("dev", "", "development data scored after every epoch (CoNLL)")
		out := fs.String("out", ner.ModelPath, "where to write the model")
		epochs := fs.Int("epochs", 8, "passes over the data per model")
		bits := fs.Uint("bits", 20, "log2 of the number of hashed feature buckets")
		folds := fs.Int("folds", 4, "jackknife folds for the second pass (0 or 1: one pass)")
		seed := fs.Int64("seed", 1, "shuffling seed")
		if err := Parse(fs, args); err != nil {
			return err
		}
		if *trainPath == "" || fs.NArg() > 0 {
			return UsageErrorf("usage: %s", c.Usage)
		}
		read := func(p string) ([]ner.LabeledDoc, error) {
			f, err := os.Open(p)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			cf, err := conll.Read(f)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			return ner.DocsFromCoNLL(cf, conll.Default), nil
		}
		train, err := read(*trainPath)
		if err != nil {
			return err
		}
		var dev []ner.LabeledDoc
		if *devPath != "" {
			if dev, err = read(*devPath); err != nil {
				return err
			}
		}
		g, err := gazetteer.New()
		if err != nil {
			return err
		}
		meta := map[string]string{
			"train":  filepath.Base(*trainPath),
			"epochs": fmt.Sprint(*epochs),
			"bits":   fmt.Sprint(*bits),
			"folds":  fmt.Sprint(*folds),
			"seed":   fmt.Sprint(*seed),
		}
		t, err := ner.Train(ctx, train, dev, g, ner.TrainOptions{
			Bits: *bits, Epochs: *epochs, Folds: *folds, Seed: *seed, Log: env.Stderr, Meta: meta,
		})
		if err != nil {
			return err
		}
		if len(dev) > 0 {
			sc := ner.Evaluate(t, dev)
			fmt.Fprintf(env.Stdout, "dev %s:\n", filepath.Base(*devPath))
			sc.Write(env.Stdout)
		}
		if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
			return err
		}
		tmp := *out + ".tmp"
		f, err := os.Create(tmp)
		if err != nil {
			return err
		}
		if err := t.Save(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		if err := os.Rename(tmp, *out); err != nil {
			return err
		}
		if fi, err := os.Stat(*out); err == nil {
			fmt.Fprintf(env.Stdout, "wrote %s (%.1f MB)\n", *out, float64(fi.Size())/1e6)
		}
		return nil
	}
	return c
}

package ner

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
)

// model is one linear first-order sequence model over hashed features:
// emission weights per (bucket, label), quantised to int16 with one scale,
// and label-to-label transition weights.
type model struct {
	bits  uint
	nl    int
	idx   []int32 // bucket -> first weight of its row in w, or -1 when all zero
	w     []int16 // packed non-zero rows of nl weights
	scale float32
	trans []float32 // (nl+1) rows of nl; row 0 is the sentence start
}

// emissions fills em (n*nl) with the scores of every label at every token.
func (m *model) emissions(feats [][]uint32, em []float32) {
	nl := m.nl
	acc := make([]int32, nl)
	for i, fs := range feats {
		for k := range acc {
			acc[k] = 0
		}
		for _, b := range fs {
			o := m.idx[b]
			if o < 0 {
				continue
			}
			row := m.w[o : int(o)+nl]
			for k, v := range row {
				acc[k] += int32(v)
			}
		}
		out := em[i*nl : i*nl+nl]
		for k, v := range acc {
			out[k] = float32(v) * m.scale
		}
	}
}

// viterbi returns the best BILOU-valid label sequence for emissions em
// under transitions trans (row 0 = start). It writes into out.
func viterbi(em []float32, trans []float32, nl, n int, out []int) {
	if n == 0 {
		return
	}
	const neg = float32(-1e30)
	score := make([]float32, n*nl)
	back := make([]int16, n*nl)
	for b := 0; b < nl; b++ {
		if allowed(-1, b) {
			score[b] = em[b] + trans[b]
		} else {
			score[b] = neg
		}
	}
	for i := 1; i < n; i++ {
		prev := score[(i-1)*nl : i*nl]
		cur := score[i*nl : (i+1)*nl]
		bk := back[i*nl : (i+1)*nl]
		for b := 0; b < nl; b++ {
			best, arg := neg, 0
			for a := 0; a < nl; a++ {
				if prev[a] <= neg || !allowedTab[a][b] {
					continue
				}
				s := prev[a] + trans[(a+1)*nl+b]
				if s > best {
					best, arg = s, a
				}
			}
			if best <= neg {
				cur[b] = neg
			} else {
				cur[b] = best + em[i*nl+b]
			}
			bk[b] = int16(arg)
		}
	}
	best, arg := neg, 0
	last := score[(n-1)*nl : n*nl]
	for b := 0; b < nl; b++ {
		if canEnd(b) && last[b] > best {
			best, arg = last[b], b
		}
	}
	for i := n - 1; i >= 0; i-- {
		out[i] = arg
		arg = int(back[i*nl+arg])
	}
}

var allowedTab = func() [][]bool {
	t := make([][]bool, NumLabels)
	for a := range t {
		t[a] = make([]bool, NumLabels)
		for b := range t[a] {
			t[a][b] = allowed(a, b)
		}
	}
	return t
}()

// Model file format (after gzip):
//
//	"MOSNER1\n"
//	uint32 length, JSON header (header struct)
//	for each of header.Models models:
//	  nl*(nl+1) float32 transitions
//	  rows: repeated { uvarint skip of empty rows, uvarint label mask,
//	        one zigzag varint per set bit }, closed by skip past the end
const magic = "MOSNER1\n"

type header struct {
	Types   []string `json:"types"`
	Bits    uint     `json:"bits"`
	Labels  int      `json:"labels"`
	Models  int      `json:"models"`
	Scales  []float32
	Meta    map[string]string `json:"meta,omitempty"`
	Version int               `json:"version"`
}

const formatVersion = 1

func writeModels(w io.Writer, meta map[string]string, ms ...*model) error {
	bw := bufio.NewWriter(w)
	h := header{Types: Types, Bits: ms[0].bits, Labels: ms[0].nl, Models: len(ms), Meta: meta, Version: formatVersion}
	for _, m := range ms {
		h.Scales = append(h.Scales, m.scale)
	}
	hj, err := json.Marshal(h)
	if err != nil {
		return err
	}
	bw.WriteString(magic)
	binary.Write(bw, binary.LittleEndian, uint32(len(hj)))
	bw.Write(hj)
	var buf [binary.MaxVarintLen64]byte
	uv := func(x uint64) { bw.Write(buf[:binary.PutUvarint(buf[:], x)]) }
	for _, m := range ms {
		for _, t := range m.trans {
			binary.Write(bw, binary.LittleEndian, math.Float32bits(t))
		}
		rows := 1 << m.bits
		skip := 0
		for r := 0; r < rows; r++ {
			if m.idx[r] < 0 {
				skip++
				continue
			}
			row := m.w[m.idx[r] : int(m.idx[r])+m.nl]
			var mask uint64
			for k, v := range row {
				if v != 0 {
					mask |= 1 << k
				}
			}
			if mask == 0 {
				skip++
				continue
			}
			uv(uint64(skip))
			skip = 0
			uv(mask)
			for _, v := range row {
				if v != 0 {
					bw.Write(buf[:binary.PutVarint(buf[:], int64(v))])
				}
			}
		}
		uv(uint64(skip + 1)) // past the end
	}
	return bw.Flush()
}

func readModels(r io.Reader) ([]*model, map[string]string, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	mg := make([]byte, len(magic))
	if _, err := io.ReadFull(br, mg); err != nil || string(mg) != magic {
		return nil, nil, errors.New("not a mosaic NER model")
	}
	var hl uint32
	if err := binary.Read(br, binary.LittleEndian, &hl); err != nil || hl > 1<<20 {
		return nil, nil, fmt.Errorf("bad model header length: %v", err)
	}
	hj := make([]byte, hl)
	if _, err := io.ReadFull(br, hj); err != nil {
		return nil, nil, fmt.Errorf("read model header: %w", err)
	}
	var h header
	if err := json.Unmarshal(hj, &h); err != nil {
		return nil, nil, fmt.Errorf("parse model header: %w", err)
	}
	if h.Version != formatVersion || h.Labels != NumLabels || len(h.Types) != len(Types) || h.Bits < 8 || h.Bits > 24 || len(h.Scales) != h.Models {
		return nil, nil, fmt.Errorf("model header does not match this tagger: %s", hj)
	}
	for i, t := range h.Types {
		if Types[i] != t {
			return nil, nil, fmt.Errorf("model types %v, tagger wants %v", h.Types, Types)
		}
	}
	var ms []*model
	for k := 0; k < h.Models; k++ {
		m := &model{bits: h.Bits, nl: h.Labels, scale: h.Scales[k]}
		m.trans = make([]float32, (m.nl+1)*m.nl)
		for i := range m.trans {
			var u uint32
			if err := binary.Read(br, binary.LittleEndian, &u); err != nil {
				return nil, nil, fmt.Errorf("read transitions: %w", err)
			}
			m.trans[i] = math.Float32frombits(u)
		}
		rows := 1 << m.bits
		m.idx = make([]int32, rows)
		for i := range m.idx {
			m.idx[i] = -1
		}
		r := 0
		for {
			skip, err := binary.ReadUvarint(br)
			if err != nil {
				return nil, nil, fmt.Errorf("read weights: %w", err)
			}
			r += int(skip)
			if r >= rows || skip > uint64(rows) {
				break
			}
			mask, err := binary.ReadUvarint(br)
			if err != nil {
				return nil, nil, fmt.Errorf("read weights: %w", err)
			}
			if len(m.w) > math.MaxInt32-m.nl {
				return nil, nil, errors.New("model too large")
			}
			m.idx[r] = int32(len(m.w))
			m.w = append(m.w, make([]int16, m.nl)...)
			row := m.w[m.idx[r]:]
			for b := 0; b < m.nl; b++ {
				if mask&(1<<b) == 0 {
					continue
				}
				v, err := binary.ReadVarint(br)
				if err != nil {
					return nil, nil, fmt.Errorf("read weights: %w", err)
				}
				row[b] = int16(v)
			}
			r++
		}
		ms = append(ms, m)
	}
	return ms, h.Meta, nil
}

package pairs

import (
	"errors"
	"math"
)

// Model is a logistic regression over standardised features, with
// pairwise products of features added so that it can learn interactions
// ("titles agree and years agree").
type Model struct {
	Mean, Scale []float64 // standardisation of the expanded features
	Weights     []float64 // one per expanded feature
	Bias        float64
	Threshold   float64 // decision threshold on the probability
}

func expand(x []float64) []float64 {
	out := append([]float64(nil), x...)
	// Products of the similarity features of different attributes (and
	// squares), skipping the missing indicators and numeric differences.
	for i := range x {
		if i%perAttr == 0 || i%perAttr == perAttr-1 {
			continue
		}
		for j := i; j < len(x); j++ {
			if j%perAttr == 0 || j%perAttr == perAttr-1 {
				continue
			}
			out = append(out, x[i]*x[j])
		}
	}
	return out
}

// Train fits a model to feature vectors and labels by full-batch Adam
// with L2 regularisation, then sets the threshold that maximises F1 on
// the training data.
func Train(xs [][]float64, ys []bool, epochs int, l2 float64) (*Model, error) {
	if len(xs) == 0 || len(xs) != len(ys) {
		return nil, errors.New("pairs: train: no examples or labels mismatch")
	}
	ex := make([][]float64, len(xs))
	for i, x := range xs {
		ex[i] = expand(x)
	}
	d := len(ex[0])
	m := &Model{Mean: make([]float64, d), Scale: make([]float64, d), Weights: make([]float64, d), Threshold: 0.5}
	for _, x := range ex {
		for j, v := range x {
			m.Mean[j] += v
		}
	}
	for j := range m.Mean {
		m.Mean[j] /= float64(len(ex))
	}
	for _, x := range ex {
		for j, v := range x {
			m.Scale[j] += (v - m.Mean[j]) * (v - m.Mean[j])
		}
	}
	for j := range m.Scale {
		m.Scale[j] = math.Sqrt(m.Scale[j]/float64(len(ex))) + 1e-9
	}
	z := make([][]float64, len(ex))
	for i, x := range ex {
		z[i] = make([]float64, d)
		for j, v := range x {
			z[i][j] = (v - m.Mean[j]) / m.Scale[j]
		}
	}
	// Full-batch Adam (deterministic): converges in far fewer epochs than
	// plain gradient descent on these correlated features.
	grad := make([]float64, d+1)
	mom, vel := make([]float64, d+1), make([]float64, d+1)
	const b1, b2, lr, eps = 0.9, 0.999, 0.05, 1e-8
	for ep := 1; ep <= epochs; ep++ {
		for j := range d {
			grad[j] = l2 * m.Weights[j]
		}
		grad[d] = 0
		for i, x := range z {
			p := sigmoid(dot(m.Weights, x) + m.Bias)
			y := 0.0
			if ys[i] {
				y = 1
			}
			g := (p - y) / float64(len(z))
			for j, v := range x {
				grad[j] += g * v
			}
			grad[d] += g
		}
		c1, c2 := 1-math.Pow(b1, float64(ep)), 1-math.Pow(b2, float64(ep))
		for j := range grad {
			mom[j] = b1*mom[j] + (1-b1)*grad[j]
			vel[j] = b2*vel[j] + (1-b2)*grad[j]*grad[j]
			step := lr * (mom[j] / c1) / (math.Sqrt(vel[j]/c2) + eps)
			if j < d {
				m.Weights[j] -= step
			} else {
				m.Bias -= step
			}
		}
	}
	// Threshold maximising F1 on the training data.
	best := -1.0
	for t := 0.05; t < 0.96; t += 0.01 {
		var tp, fp, fn float64
		for i, x := range z {
			p := sigmoid(dot(m.Weights, x)+m.Bias) >= t
			switch {
			case p && ys[i]:
				tp++
			case p:
				fp++
			case ys[i]:
				fn++
			}
		}
		if f := 2 * tp / (2*tp + fp + fn); f > best {
			best, m.Threshold = f, t
		}
	}
	return m, nil
}

// Probability returns the match probability of a feature vector.
func (m *Model) Probability(x []float64) float64 {
	e := expand(x)
	s := m.Bias
	for j, v := range e {
		s += m.Weights[j] * (v - m.Mean[j]) / m.Scale[j]
	}
	return sigmoid(s)
}

// Match reports whether x is a match at the model's threshold.
func (m *Model) Match(x []float64) bool { return m.Probability(x) >= m.Threshold }

func sigmoid(v float64) float64 { return 1 / (1 + math.Exp(-v)) }

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

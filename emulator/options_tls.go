package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Self-signed TLS: a certificate made at start, for clients that need https:// (the AWS SDKs
// negotiate HTTP/2 over TLS with ALPN) without a certificate of their own.

// Files the self-signed option writes into its directory.
const (
	SelfSignedCertFile = "cert.pem"
	SelfSignedKeyFile  = "key.pem"
)

// selfSignedLifetime is how long a self-signed certificate is valid.
const selfSignedLifetime = 365 * 24 * time.Hour

// WithSelfSignedTLS serves TLS on the same port as plain text, with a certificate the server makes
// when it is built, valid for 127.0.0.1, ::1 and localhost. The certificate and its key are written
// to dir as cert.pem and key.pem (dir is created if missing; "" means a new directory under the
// system's temporary directory, removed again when the server is closed or shut down, or when New
// fails). Server.TLSCertFile returns the certificate's path, for clients to
// trust. It cannot be combined with WithTLS.
func WithSelfSignedTLS(dir string) Option {
	return func(c *config) {
		c.selfSignedTLSTemp = dir == ""
		if dir == "" {
			var b [8]byte
			_, _ = rand.Read(b[:])
			dir = filepath.Join(os.TempDir(), "pelican-tls-"+hex.EncodeToString(b[:]))
		}
		c.selfSignedTLSDir = dir
	}
}

// TLSCertFile returns the path of the self-signed certificate the server made at start, or "" when
// it was not asked to make one.
func (s *Server) TLSCertFile() string {
	if s.cfg.selfSignedTLSDir == "" {
		return ""
	}
	return filepath.Join(s.cfg.selfSignedTLSDir, SelfSignedCertFile)
}

// setupSelfSignedTLS makes the self-signed certificate when the option asked for one and turns TLS
// on with it.
func (c *config) setupSelfSignedTLS(now time.Time) error {
	if c.selfSignedTLSDir == "" {
		return nil
	}
	if c.tlsConfig != nil {
		return errors.New("emulator: WithTLS and WithSelfSignedTLS cannot be combined")
	}
	cert, err := writeSelfSigned(c.selfSignedTLSDir, now)
	if err != nil {
		return fmt.Errorf("emulator: self-signed certificate: %w", err)
	}
	c.tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	return nil
}

// writeSelfSigned makes an ECDSA P-256 certificate for the loopback names, writes it and its key
// as PEM into dir, and returns it.
func writeSelfSigned(dir string, now time.Time) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"Pelican"}, CommonName: "Pelican Kinesis emulator"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(selfSignedLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // its own root, so that clients can trust the one file
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return tls.Certificate{}, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, SelfSignedKeyFile), keyPEM, 0o600); err != nil {
		return tls.Certificate{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, SelfSignedCertFile), certPEM, 0o644); err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPEM, keyPEM)
}

// removeSelfSignedTLS removes the temporary directory of a self-signed certificate (one the server
// chose itself; a directory the caller named is kept).
func (c *config) removeSelfSignedTLS() error {
	if !c.selfSignedTLSTemp || c.selfSignedTLSDir == "" {
		return nil
	}
	if err := os.RemoveAll(c.selfSignedTLSDir); err != nil {
		return fmt.Errorf("emulator: removing the self-signed certificate: %w", err)
	}
	return nil
}

package verifytest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// maxServerDelay bounds how long a DNSServer sleeps before answering, so a
// forgotten SetDelay cannot hang a test run.
const maxServerDelay = 30 * time.Second

// DNSServer is a real DNS server on a loopback address, UDP and TCP on the
// same port, answering from a Zone. Over UDP it truncates answers larger
// than the client's EDNS0 buffer (512 bytes without EDNS0); TCP never
// truncates. Close it when done.
type DNSServer struct {
	zone     *Zone
	addr     string
	udp, tcp *dns.Server
	udpN     atomic.Int64
	tcpN     atomic.Int64
	ctx      context.Context // cancelled by Close: wakes delayed handlers
	cancel   context.CancelFunc
	served   sync.WaitGroup // the two serve goroutines
	once     sync.Once
	closeErr error
}

// NewDNSServer starts a DNS server for z on 127.0.0.1 and a free port; use
// its Addr as the resolver address. Close it when done.
func NewDNSServer(z *Zone) (*DNSServer, error) {
	return NewDNSServerAt(z, "127.0.0.1:0")
}

// NewDNSServerAt starts a server for z on addr ("127.0.0.2:0",
// "127.0.0.3:40053"). With port 0 both UDP and TCP get the same free port.
// The server is answering when NewDNSServerAt returns.
func NewDNSServerAt(z *Zone, addr string) (*DNSServer, error) {
	if z == nil {
		return nil, errors.New("verifytest: nil zone")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("verifytest: bad address %q: %w", addr, err)
	}
	tries := 1
	if port == "0" {
		tries = 5 // the UDP port may be taken on TCP by someone else
	}
	for i := 0; ; i++ {
		pc, l, err := listenBoth(host, port)
		if err == nil {
			return start(z, pc, l)
		}
		if i+1 >= tries {
			return nil, err
		}
	}
}

func listenBoth(host, port string) (net.PacketConn, net.Listener, error) {
	pc, err := net.ListenPacket("udp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, nil, fmt.Errorf("verifytest: listen udp: %w", err)
	}
	_, p, _ := net.SplitHostPort(pc.LocalAddr().String())
	l, err := net.Listen("tcp", net.JoinHostPort(host, p))
	if err != nil {
		pc.Close()
		return nil, nil, fmt.Errorf("verifytest: listen tcp: %w", err)
	}
	return pc, l, nil
}

func start(z *Zone, pc net.PacketConn, l net.Listener) (*DNSServer, error) {
	s := &DNSServer{zone: z, addr: pc.LocalAddr().String()}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.udp = &dns.Server{PacketConn: pc, Handler: s.handler(true)}
	s.tcp = &dns.Server{Listener: l, Handler: s.handler(false)}
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		started := make(chan struct{})
		failed := make(chan error, 1)
		srv.NotifyStartedFunc = func() { close(started) }
		s.served.Add(1)
		go func(srv *dns.Server) {
			defer s.served.Done()
			if err := srv.ActivateAndServe(); err != nil {
				failed <- err
			}
		}(srv)
		select {
		case <-started:
		case err := <-failed:
			s.cancel()
			pc.Close()
			l.Close()
			if srv == s.tcp {
				_ = s.udp.Shutdown()
			}
			s.served.Wait()
			return nil, fmt.Errorf("verifytest: serve: %w", err)
		}
	}
	return s, nil
}

func (s *DNSServer) handler(udp bool) dns.HandlerFunc {
	return func(w dns.ResponseWriter, req *dns.Msg) {
		if udp {
			s.udpN.Add(1)
		} else {
			s.tcpN.Add(1)
		}
		ctx, cancel := context.WithTimeout(s.ctx, maxServerDelay)
		defer cancel()
		r, dropped, err := s.zone.respond(ctx, req, udp)
		if err != nil || dropped {
			return // closing, or a simulated timeout: write nothing
		}
		if udp && !r.Truncated {
			size := dns.MinMsgSize
			if opt := req.IsEdns0(); opt != nil && int(opt.UDPSize()) > size {
				size = int(opt.UDPSize())
			}
			r.Truncate(size)
		}
		_ = w.WriteMsg(r)
	}
}

// Addr returns the server's "ip:port".
func (s *DNSServer) Addr() string { return s.addr }

// UDPQueries reports how many queries arrived over UDP.
func (s *DNSServer) UDPQueries() int { return int(s.udpN.Load()) }

// TCPQueries reports how many queries arrived over TCP.
func (s *DNSServer) TCPQueries() int { return int(s.tcpN.Load()) }

// Close stops the server and waits for its goroutines. Safe to call more
// than once.
func (s *DNSServer) Close() error {
	s.once.Do(func() {
		s.cancel()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.closeErr = errors.Join(s.udp.ShutdownContext(ctx), s.tcp.ShutdownContext(ctx))
		s.served.Wait()
	})
	return s.closeErr
}

// NewDNSServers starts one server per zone on 127.0.0.2, 127.0.0.3, ... all
// on one common port, as authoritative-mode tests need (every name server
// must listen on the same port). It retries with other ports when a bind fails.
func NewDNSServers(zones ...*Zone) (servers []*DNSServer, port string, err error) {
	if len(zones) == 0 {
		return nil, "", errors.New("verifytest: no zones")
	}
	if len(zones) > 250 {
		return nil, "", errors.New("verifytest: too many zones")
	}
	for try := 0; try < 8; try++ {
		servers, port, err = newServersOnce(zones)
		if err == nil {
			return servers, port, nil
		}
	}
	return nil, "", err
}

func newServersOnce(zones []*Zone) ([]*DNSServer, string, error) {
	first, err := NewDNSServerAt(zones[0], "127.0.0.2:0")
	if err != nil {
		return nil, "", err
	}
	_, port, _ := net.SplitHostPort(first.Addr())
	servers := []*DNSServer{first}
	for i, z := range zones[1:] {
		s, err := NewDNSServerAt(z, fmt.Sprintf("127.0.0.%d:%s", i+3, port))
		if err != nil {
			for _, s := range servers {
				s.Close()
			}
			return nil, "", err
		}
		servers = append(servers, s)
	}
	return servers, port, nil
}

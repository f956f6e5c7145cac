//! pcap and pcapng captures: DNS responses over UDP and TCP, IPv4 and IPv6.
//!
//! The containers are read with `pcap-file` (classic pcap in µs and ns
//! resolution, either byte order; pcapng with several interfaces and
//! `if_tsresol`), link layers and IP/UDP/TCP with `etherparse`: Ethernet
//! (with VLAN tags), Linux cooked (SLL and SLL2), BSD loopback (NULL and
//! LOOP) and raw IPv4/IPv6. Packets whose *source* port is one of the DNS
//! ports ([`DEFAULT_DNS_PORTS`] unless set) are decoded as responses with
//! [`super::wire`]; the record time is the packet's capture time.
//!
//! TCP: RFC 1035 §4.2.2 frames each message with a 2-byte length. Each
//! server-to-client flow keeps a reassembly buffer of in-order bytes (at
//! most [`MAX_FLOW_BUFFER`]). A retransmission is ignored; a gap (lost or
//! reordered segment) drops the buffer and restarts at the new segment,
//! assuming it starts a message (so out-of-order segments are not
//! reordered: their messages are lost and reported). At most [`MAX_FLOWS`]
//! flows are tracked; beyond that the least recently used are dropped.
//! Fragmented IP packets are skipped (DNS over UDP normally fits in one).

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, Chain, Cursor, Read};
use std::net::IpAddr;

use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use pcap_file::DataLink;
use pcap_file::pcap::PcapReader;
use pcap_file::pcapng::{Block, PcapNgReader};

use crate::error::{ParseError, ParseErrorKind};

use super::PdnsRecord;
use super::wire::{self, WireContext};

/// Ports whose traffic is DNS by default.
pub const DEFAULT_DNS_PORTS: &[u16] = &[53];
/// Largest TCP reassembly buffer per flow (two whole messages).
pub const MAX_FLOW_BUFFER: usize = 2 * (2 + 65_535);
/// Most TCP flows tracked at once.
pub const MAX_FLOWS: usize = 4096;
/// Most pcapng interfaces in one section.
pub const MAX_INTERFACES: usize = 1024;

type Input<R> = Chain<Cursor<[u8; 4]>, R>;

enum Container<R: Read> {
    Pcap(Box<PcapReader<Input<R>>>),
    PcapNg(Box<PcapNgReader<Input<R>>>),
}

enum State<R: Read> {
    Start(R),
    Open(Container<R>),
    Done,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct FlowKey {
    src: IpAddr,
    sport: u16,
    dst: IpAddr,
    dport: u16,
}

struct Flow {
    next_seq: u32,
    buf: Vec<u8>,
    last_packet: u64,
}

/// TCP reassembly of DNS messages, per server-to-client flow.
#[derive(Default)]
pub(crate) struct TcpReassembler {
    flows: HashMap<FlowKey, Flow>,
}

pub(crate) struct Segment<'a> {
    key: FlowKey,
    seq: u32,
    syn: bool,
    fin: bool,
    payload: &'a [u8],
}

impl TcpReassembler {
    /// Feeds one segment; complete messages go to `msg`. Returns an error
    /// when bytes had to be dropped.
    fn push(
        &mut self,
        seg: &Segment<'_>,
        packet: u64,
        msg: &mut dyn FnMut(&[u8]),
    ) -> Result<(), ParseError> {
        if seg.syn {
            self.evict();
            self.flows.insert(
                seg.key,
                Flow {
                    next_seq: seg.seq.wrapping_add(1),
                    buf: Vec::new(),
                    last_packet: packet,
                },
            );
            return Ok(());
        }
        let mut result = Ok(());
        if !seg.payload.is_empty() {
            if !self.flows.contains_key(&seg.key) {
                // The capture began mid-connection: assume a message starts here.
                self.evict();
                self.flows.insert(
                    seg.key,
                    Flow {
                        next_seq: seg.seq,
                        buf: Vec::new(),
                        last_packet: packet,
                    },
                );
            }
            if let Some(flow) = self.flows.get_mut(&seg.key) {
                flow.last_packet = packet;
                let len = seg.payload.len() as u32;
                let behind = flow.next_seq.wrapping_sub(seg.seq);
                if seg.seq == flow.next_seq {
                    flow.buf.extend_from_slice(seg.payload);
                    flow.next_seq = flow.next_seq.wrapping_add(len);
                } else if behind != 0 && behind < (1 << 30) && behind >= len {
                    // A retransmission of bytes already taken.
                } else if behind != 0 && behind < len {
                    // Overlaps what was taken: keep only the new tail.
                    flow.buf.extend_from_slice(&seg.payload[behind as usize..]);
                    flow.next_seq = flow.next_seq.wrapping_add(len - behind);
                } else {
                    if !flow.buf.is_empty() {
                        result = Err(ParseError::new(
                            ParseErrorKind::Truncated,
                            format!(
                                "tcp gap: dropped {} buffered bytes of a dns stream",
                                flow.buf.len()
                            ),
                        ));
                    }
                    flow.buf.clear();
                    flow.buf.extend_from_slice(seg.payload);
                    flow.next_seq = seg.seq.wrapping_add(len);
                }
                let mut used = 0;
                while flow.buf.len() - used >= 2 {
                    let mlen = u16::from_be_bytes([flow.buf[used], flow.buf[used + 1]]) as usize;
                    if flow.buf.len() - used < 2 + mlen {
                        break;
                    }
                    msg(&flow.buf[used + 2..used + 2 + mlen]);
                    used += 2 + mlen;
                }
                flow.buf.drain(..used);
                if flow.buf.len() > MAX_FLOW_BUFFER {
                    flow.buf = Vec::new();
                    result = Err(ParseError::new(
                        ParseErrorKind::TooLarge,
                        "tcp reassembly buffer over its limit",
                    ));
                }
            }
        }
        if seg.fin {
            self.flows.remove(&seg.key);
        }
        result
    }

    fn evict(&mut self) {
        if self.flows.len() < MAX_FLOWS {
            return;
        }
        let mut ages: Vec<u64> = self.flows.values().map(|f| f.last_packet).collect();
        ages.sort_unstable();
        let cut = ages[ages.len() / 2];
        self.flows.retain(|_, f| f.last_packet > cut);
        if self.flows.len() >= MAX_FLOWS {
            self.flows.clear();
        }
    }
}

/// Extracts DNS responses from one link-layer frame.
pub(crate) struct PacketDecoder {
    ports: Vec<u16>,
    tcp: TcpReassembler,
}

impl PacketDecoder {
    pub(crate) fn new(ports: &[u16]) -> PacketDecoder {
        PacketDecoder {
            ports: ports.to_vec(),
            tcp: TcpReassembler::default(),
        }
    }

    /// Decodes one captured frame of link type `link` seen at `time`,
    /// adding records to `out`. `packet` is its 1-based number.
    pub(crate) fn packet(
        &mut self,
        link: DataLink,
        data: &[u8],
        time: i64,
        packet: u64,
        out: &mut VecDeque<PdnsRecord>,
    ) -> Result<(), ParseError> {
        let sliced = match link {
            DataLink::ETHERNET => SlicedPacket::from_ethernet(data),
            DataLink::LINUX_SLL => SlicedPacket::from_linux_sll(data),
            DataLink::LINUX_SLL2 => {
                if data.len() < 20 {
                    return Err(short_packet());
                }
                let et = u16::from_be_bytes([data[0], data[1]]);
                SlicedPacket::from_ether_type(etherparse::EtherType(et), &data[20..])
            }
            DataLink::NULL | DataLink::LOOP => {
                if data.len() < 4 {
                    return Err(short_packet());
                }
                SlicedPacket::from_ip(&data[4..])
            }
            DataLink::RAW | DataLink::IPV4 | DataLink::IPV6 => SlicedPacket::from_ip(data),
            other => {
                return Err(ParseError::new(
                    ParseErrorKind::Unsupported,
                    format!("link type {other:?}"),
                ));
            }
        };
        let sliced = match sliced {
            Ok(s) => s,
            // Not IP, or cut by the snap length: not DNS we can read.
            Err(e) => {
                return Err(ParseError::new(
                    ParseErrorKind::Truncated,
                    format!("packet: {e}"),
                ));
            }
        };
        let (src, dst) = match &sliced.net {
            Some(NetSlice::Ipv4(v4)) => {
                if v4.is_payload_fragmented() {
                    return Ok(());
                }
                (
                    IpAddr::V4(v4.header().source_addr()),
                    IpAddr::V4(v4.header().destination_addr()),
                )
            }
            Some(NetSlice::Ipv6(v6)) => {
                if v6.is_payload_fragmented() {
                    return Ok(());
                }
                (
                    IpAddr::V6(v6.header().source_addr()),
                    IpAddr::V6(v6.header().destination_addr()),
                )
            }
            _ => return Ok(()),
        };
        let ctx = WireContext {
            time,
            sensor_id: None,
            bailiwick: None,
        };
        match &sliced.transport {
            Some(TransportSlice::Udp(udp)) => {
                if !self.ports.contains(&udp.source_port()) {
                    return Ok(());
                }
                let d = wire::decode_response(udp.payload(), &ctx);
                out.extend(d.records);
                d.error.map_or(Ok(()), Err)
            }
            Some(TransportSlice::Tcp(tcp)) => {
                if !self.ports.contains(&tcp.source_port()) {
                    return Ok(());
                }
                let seg = Segment {
                    key: FlowKey {
                        src,
                        sport: tcp.source_port(),
                        dst,
                        dport: tcp.destination_port(),
                    },
                    seq: tcp.sequence_number(),
                    syn: tcp.syn(),
                    fin: tcp.fin() || tcp.rst(),
                    payload: tcp.payload(),
                };
                let mut first_err = None;
                let r = self.tcp.push(&seg, packet, &mut |m| {
                    let d = wire::decode_response(m, &ctx);
                    out.extend(d.records);
                    if first_err.is_none() {
                        first_err = d.error;
                    }
                });
                r?;
                first_err.map_or(Ok(()), Err)
            }
            _ => Ok(()),
        }
    }
}

fn short_packet() -> ParseError {
    ParseError::new(
        ParseErrorKind::Truncated,
        "packet shorter than its link header",
    )
}

fn container_error(e: pcap_file::PcapError) -> ParseError {
    let kind = match &e {
        pcap_file::PcapError::IncompleteBuffer | pcap_file::PcapError::IoError(_) => {
            ParseErrorKind::Truncated
        }
        _ => ParseErrorKind::Syntax,
    };
    ParseError::new(kind, format!("capture: {e}"))
}

/// Timestamp ticks per second for a pcapng interface (`if_tsresol`).
fn ticks_per_second(
    opts: &[pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption<'_>],
) -> Option<u128> {
    use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;
    let mut res = 6u8;
    for o in opts {
        if let InterfaceDescriptionOption::IfTsResol(r) = o {
            res = *r;
        }
    }
    if res & 0x80 == 0 {
        10u128.checked_pow(u32::from(res))
    } else {
        1u128.checked_shl(u32::from(res & 0x7f))
    }
}

/// Streams records from a pcap or pcapng capture; errors carry the 1-based
/// packet (or pcapng block) number as their line.
pub(crate) struct PcapRecords<R: Read> {
    state: State<R>,
    decoder: PacketDecoder,
    packet: u64,
    pending: VecDeque<PdnsRecord>,
    /// pcapng interfaces of the current section: link type and ticks/s.
    interfaces: Vec<(DataLink, Option<u128>)>,
}

impl<R: BufRead> PcapRecords<R> {
    pub(crate) fn new(inner: R) -> PcapRecords<R> {
        PcapRecords {
            state: State::Start(inner),
            decoder: PacketDecoder::new(DEFAULT_DNS_PORTS),
            packet: 0,
            pending: VecDeque::new(),
            interfaces: Vec::new(),
        }
    }

    pub(crate) fn set_ports(&mut self, ports: &[u16]) {
        self.decoder.ports = ports.to_vec();
    }

    fn open(&mut self, mut inner: R) -> Result<(), ParseError> {
        let mut magic = [0u8; 4];
        inner.read_exact(&mut magic).map_err(|_| {
            ParseError::new(
                ParseErrorKind::Truncated,
                "capture shorter than its magic number",
            )
        })?;
        let input = Cursor::new(magic).chain(inner);
        let c = match magic {
            [0x0a, 0x0d, 0x0d, 0x0a] => {
                Container::PcapNg(Box::new(PcapNgReader::new(input).map_err(container_error)?))
            }
            [0xa1, 0xb2, 0xc3, 0xd4]
            | [0xd4, 0xc3, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0x3c, 0x4d]
            | [0x4d, 0x3c, 0xb2, 0xa1] => {
                Container::Pcap(Box::new(PcapReader::new(input).map_err(container_error)?))
            }
            _ => {
                return Err(ParseError::new(
                    ParseErrorKind::Syntax,
                    "not a pcap or pcapng capture (bad magic number)",
                ));
            }
        };
        self.state = State::Open(c);
        Ok(())
    }

    /// Reads one packet (or block). `Ok(false)` at the end.
    fn step(&mut self) -> Result<bool, ParseError> {
        let state = std::mem::replace(&mut self.state, State::Done);
        let mut c = match state {
            State::Start(inner) => {
                self.open(inner)?;
                return Ok(true);
            }
            State::Open(c) => c,
            State::Done => return Ok(false),
        };
        let result = match &mut c {
            Container::Pcap(r) => {
                let link = r.header().datalink;
                match r.next_packet() {
                    None => return Ok(false),
                    Some(Err(e)) => {
                        self.packet += 1;
                        return Err(container_error(e));
                    }
                    Some(Ok(p)) => {
                        self.packet += 1;
                        let time = i64::try_from(p.timestamp.as_secs()).unwrap_or(i64::MAX);
                        self.decoder
                            .packet(link, &p.data, time, self.packet, &mut self.pending)
                    }
                }
            }
            Container::PcapNg(r) => {
                let block = match r.next_block() {
                    None => return Ok(false),
                    Some(Err(e)) => {
                        self.packet += 1;
                        return Err(container_error(e));
                    }
                    Some(Ok(b)) => b,
                };
                self.packet += 1;
                match block {
                    Block::SectionHeader(_) => {
                        self.interfaces.clear();
                        Ok(())
                    }
                    Block::InterfaceDescription(idb) => {
                        if self.interfaces.len() >= MAX_INTERFACES {
                            // pcap-file keeps every interface too: stop here
                            // rather than let a hostile file grow that list.
                            return Err(ParseError::new(
                                ParseErrorKind::TooLarge,
                                format!("more than {MAX_INTERFACES} pcapng interfaces"),
                            ));
                        } else {
                            self.interfaces
                                .push((idb.linktype, ticks_per_second(&idb.options)));
                            Ok(())
                        }
                    }
                    Block::EnhancedPacket(epb) => {
                        let iface = self.interfaces.get(epb.interface_id as usize).copied();
                        match iface {
                            None => Err(ParseError::new(
                                ParseErrorKind::Syntax,
                                format!("packet on undeclared interface {}", epb.interface_id),
                            )),
                            Some((_, None)) => Err(ParseError::new(
                                ParseErrorKind::Value,
                                "interface timestamp resolution out of range",
                            )),
                            Some((link, Some(tps))) => {
                                // pcap-file hands the raw tick count over as nanoseconds.
                                let ticks = epb.timestamp.as_nanos();
                                let secs = i64::try_from(ticks / tps).unwrap_or(i64::MAX);
                                self.decoder.packet(
                                    link,
                                    &epb.data,
                                    secs,
                                    self.packet,
                                    &mut self.pending,
                                )
                            }
                        }
                    }
                    Block::SimplePacket(_) | Block::Packet(_) => Err(ParseError::new(
                        ParseErrorKind::Unsupported,
                        "simple and obsolete packet blocks are not read (no usable timestamp)",
                    )),
                    _ => Ok(()),
                }
            }
        };
        self.state = State::Open(c);
        result.map(|()| true)
    }

    pub(crate) fn next(&mut self) -> Option<Result<PdnsRecord, ParseError>> {
        loop {
            if let Some(r) = self.pending.pop_front() {
                return Some(Ok(r));
            }
            match self.step() {
                Ok(true) => {}
                Ok(false) => {
                    self.state = State::Done;
                    return None;
                }
                Err(e) => {
                    return Some(Err(e.at_line(self.packet.max(1))));
                }
            }
        }
    }
}

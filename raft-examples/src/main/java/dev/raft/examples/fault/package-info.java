/**
 * Fault injection for testing a deployed cluster: a {@link dev.raft.api.transport.Transport} decorator that
 * loses Raft messages by rule (isolate the node, drop traffic to or from chosen peers, one way or both), and
 * a control socket on 127.0.0.1 through which a test changes the rules while the server runs.
 *
 * <p>Enabled in {@code raftkv server} only by {@code --fault-control <port>}; never on in production use.
 * The control protocol is one UDP datagram of US-ASCII text per request, answered by one datagram:
 * <pre>
 *   heal                       lose nothing                                  -> "ok &lt;rules&gt;"
 *   isolate                    lose everything to and from every peer        -> "ok &lt;rules&gt;"
 *   drop 2,3                   lose everything to and from nodes 2 and 3     -> "ok &lt;rules&gt;"
 *   drop-out 2,3               lose what this node sends to 2 and 3          -> "ok &lt;rules&gt;"
 *   drop-in 2,3                lose what this node receives from 2 and 3     -> "ok &lt;rules&gt;"
 *   status                     the rules and the counts of lost messages     -> "ok &lt;rules&gt; ..."
 * </pre>
 * A request that cannot be parsed is answered {@code "error <what was wrong>"} and changes nothing. Rules
 * replace the previous ones (they do not add up), so a test always knows the state it set.
 */
package dev.raft.examples.fault;

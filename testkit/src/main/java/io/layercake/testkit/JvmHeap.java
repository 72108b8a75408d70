package io.layercake.testkit;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The heap of another JVM on this machine (a {@link NodeProcess}), read through the attach API and
 * its local JMX agent: what a heap-limited node really keeps, measured after full collections, so
 * that garbage not yet collected does not count.
 */
public final class JvmHeap implements AutoCloseable {

  private final JMXConnector connector;
  private final MemoryMXBean memory;

  private JvmHeap(JMXConnector connector, MemoryMXBean memory) {
    this.connector = connector;
    this.memory = memory;
  }

  /** Attaches to the JVM with process ID {@code pid} (same user) and starts its local JMX agent. */
  public static JvmHeap attach(long pid) {
    try {
      VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
      String address;
      try {
        address = vm.startLocalManagementAgent();
      } finally {
        vm.detach();
      }
      JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
      return new JvmHeap(connector, ManagementFactory.newPlatformMXBeanProxy(
          connector.getMBeanServerConnection(), ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class));
    } catch (AttachNotSupportedException e) {
      throw new IllegalStateException("cannot attach to JVM " + pid, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reach the JMX agent of JVM " + pid, e);
    }
  }

  /** Bytes of heap in use after two full collections (the second collects what the first freed up). */
  public long usedAfterFullGc() {
    memory.gc();
    memory.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  /** The heap's limit in bytes ({@code -Xmx}). */
  public long max() {
    return memory.getHeapMemoryUsage().getMax();
  }

  @Override
  public void close() {
    try {
      connector.close();
    } catch (IOException e) {
      // The JVM may be gone already; nothing to release on this side.
    }
  }
}

package io.layercake.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import org.junit.jupiter.api.Test;

class LoadMemoryTest {

  @Test
  void charge_moreThanTheBudgetAlone_400NamingTheKey() {
    LoadMemory memory = new LoadMemory(1000);
    try (LoadMemory.Account account = memory.open()) {
      account.charge(600);

      OciException error = assertThrows(OciException.class, () -> account.charge(401));

      assertEquals(ErrorCode.BLOB_UPLOAD_INVALID, error.code());
      assertTrue(error.getMessage().contains("layercake.admin.images.max-load-memory"), error.getMessage());
      assertEquals(600, memory.used(), "the refused charge took nothing");
    }
  }

  @Test
  void charge_budgetHeldByOthers_503WithRetryAfter() {
    LoadMemory memory = new LoadMemory(1000);
    try (LoadMemory.Account first = memory.open(); LoadMemory.Account second = memory.open()) {
      first.charge(700);

      OciException error = assertThrows(OciException.class, () -> second.charge(400));

      assertEquals(ErrorCode.UNAVAILABLE, error.code());
      assertTrue(error.retryAfter().isPresent());
      assertEquals(700, memory.used());
      second.charge(300);
      assertEquals(1000, memory.used());
    }
  }

  @Test
  void close_givesEverythingBackOnce() {
    LoadMemory memory = new LoadMemory(1000);
    LoadMemory.Account account = memory.open();
    account.charge(500);

    account.close();
    account.close();

    assertEquals(0, memory.used());
  }
}

import java.io.FileInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** Reads a zip the way Java streams one (no central directory): prints each entry's name and size. Run as `java ZipStreamRead.java file.zip`. */
public class ZipStreamRead {
  public static void main(String[] args) throws Exception {
    try (ZipInputStream zip = new ZipInputStream(new FileInputStream(args[0]))) {
      byte[] buffer = new byte[65536];
      for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
        long size = 0;
        for (int read = zip.read(buffer); read > 0; read = zip.read(buffer)) size += read;
        System.out.println(entry.getName() + " " + size);
      }
    }
  }
}

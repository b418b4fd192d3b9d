package dev.meshproof.runtime.security;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** PEM encoding and decoding of certificates and keys (BouncyCastle's PEM reader and writer). */
public final class Pem {
  private Pem() {}

  public static String certificates(List<X509Certificate> certificates) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (X509Certificate certificate : certificates) {
        writer.writeObject(certificate);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  public static String privateKey(PrivateKey key) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaPKCS8Generator(key, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /**
   * The certificates of a PEM text, in order.
   *
   * @throws IllegalArgumentException naming {@code source} when the text holds something else or
   *     nothing
   */
  public static List<X509Certificate> parseCertificates(String pem, String source) {
    List<X509Certificate> out = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object next;
      while ((next = parser.readObject()) != null) {
        if (!(next instanceof X509CertificateHolder holder)) {
          throw new IllegalArgumentException(
              source
                  + ": found a "
                  + next.getClass().getSimpleName()
                  + " (expected: PEM CERTIFICATE blocks only)");
        }
        out.add(new JcaX509CertificateConverter().getCertificate(holder));
      }
    } catch (IOException | CertificateException e) {
      throw new IllegalArgumentException(source + ": not a PEM certificate: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(source + ": no PEM certificate found");
    }
    return List.copyOf(out);
  }

  /**
   * The private key of a PEM text (PKCS#8, or a PKCS#1 / SEC1 key pair).
   *
   * @throws IllegalArgumentException naming {@code source} when the text holds no key
   */
  public static PrivateKey parsePrivateKey(String pem, String source) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object next = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (next instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (next instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      throw new IllegalArgumentException(
          source
              + ": found "
              + (next == null ? "nothing" : "a " + next.getClass().getSimpleName())
              + " (expected: a PEM PRIVATE KEY)");
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": not a PEM private key: " + e.getMessage(), e);
    }
  }
}

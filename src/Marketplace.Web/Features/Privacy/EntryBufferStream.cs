namespace Marketplace.Web.Features.Privacy;

/// <summary>
/// Between a <see cref="System.IO.Compression.ZipArchive"/> and the response body: the archive still writes some parts
/// synchronously (an entry's end when its stream is disposed), which the server refuses, so writes land here and
/// <see cref="FlushAsync(CancellationToken)"/>, called after each entry, sends them on asynchronously. At most one
/// compressed entry is held in memory, never the whole archive.
/// </summary>
internal sealed class EntryBufferStream(Stream inner) : Stream
{
    private readonly MemoryStream _pending = new();
    private long _written;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _written; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _pending.Write(buffer);
        _written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending.Length == 0) return;
        await inner.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), cancellationToken);
        _pending.SetLength(0);
        await inner.FlushAsync(cancellationToken);
    }

    /// <summary>Nothing is sent synchronously: <see cref="FlushAsync(CancellationToken)"/> does it.</summary>
    public override void Flush() { }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

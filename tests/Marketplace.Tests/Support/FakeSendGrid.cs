using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Marketplace.Tests.Support;

/// <summary>
/// A local HTTP server that plays SendGrid's v3 API for the SendGrid transport (issue 15): it records every request
/// (method, path, Authorization header, JSON body) and answers <see cref="Status"/> (202 by default, as SendGrid does for
/// an accepted message) with <see cref="ResponseBody"/>. The transport's <c>Email:SendGrid:Host</c> points at <see cref="Host"/>.
/// </summary>
public sealed class FakeSendGrid : IDisposable
{
    public sealed record Request(string Method, string Path, string? Authorization, string Body)
    {
        public JsonNode Json => JsonNode.Parse(Body)!;
    }

    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<Request> _requests = new();
    private readonly Task _serving;

    public FakeSendGrid()
    {
        var port = FreePort();
        Host = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Host + "/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public string Host { get; }
    public volatile int Status = 202;
    public volatile string ResponseBody = "";
    public IReadOnlyCollection<Request> Requests => _requests;

    /// <summary>The requests whose message carries this outbox row's id (custom argument <c>outbox_id</c>).</summary>
    public IReadOnlyList<Request> For(long outboxId) =>
        _requests.Where(r => r.Body.Length > 0 && JsonNode.Parse(r.Body)?["custom_args"]?["outbox_id"]?.GetValue<string>() == outboxId.ToString()).ToList();

    public void Answer(int status, string body = "")
    {
        ResponseBody = body;
        Status = status;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
                _requests.Enqueue(new Request(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.Headers["Authorization"],
                    await reader.ReadToEndAsync()));
            context.Response.StatusCode = Status;
            var bytes = Encoding.UTF8.GetBytes(ResponseBody);
            if (bytes.Length > 0) context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _serving.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}

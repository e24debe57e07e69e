%% Callback module of the strict credit-control client used by Tollgate's tests. It hands
%% every answer back with the decode errors the OTP diameter application found when it
%% checked the CCA against the RFC 4006 dictionary (missing or unknown AVPs, bad values).
%% Requests from Tollgate (RAR, ASR) are printed with their decode errors, answered with the
%% Result-Code the test chose (2001 unless told otherwise) and, when 2001, handed to the
%% process registered as tollgate_live, which sends the CCR-U or CCR-T RFC 4006 asks for.
-module(tollgate_cc_cb).

-include_lib("diameter/include/diameter.hrl").

-export([peer_up/3, peer_down/3, pick_peer/4, prepare_request/3, prepare_retransmit/3,
         handle_answer/4, handle_error/4, handle_request/3]).

peer_up(_Service, _Peer, State) -> State.

peer_down(_Service, _Peer, State) -> State.

pick_peer([Peer | _], _, _Service, _State) -> {ok, Peer}.

prepare_request(#diameter_packet{msg = [Name | Avps]}, _, {_, Caps}) ->
    #diameter_caps{origin_host = {Host, _}, origin_realm = {Realm, _}} = Caps,
    {send, [Name | Avps#{'Origin-Host' => Host, 'Origin-Realm' => Realm}]}.

prepare_retransmit(Packet, _Service, _Peer) -> {send, Packet}.

handle_answer(#diameter_packet{msg = Msg, errors = Errors}, _Request, _Service, _Peer) ->
    {ok, Msg, Errors}.

handle_error(Reason, _Request, _Service, _Peer) -> {error, Reason}.

handle_request(#diameter_packet{msg = [Name | Avps], errors = Errors}, _Service, {_, Caps})
  when Name =:= 'RAR'; Name =:= 'ASR' ->
    #diameter_caps{origin_host = {Host, _}, origin_realm = {Realm, _}} = Caps,
    Session = maps:get('Session-Id', Avps),
    Result = persistent_term:get(tollgate_answer, 2001),
    io:format("request ~s session=~s errors=~w destination=~s type=~w result=~w~n",
              [Name, Session, [element(1, E) || E <- Errors],
               maps:get('Destination-Host', Avps, none),
               maps:get('Re-Auth-Request-Type', Avps, none), Result]),
    case {Result, whereis(tollgate_live)} of
        {2001, Live} when is_pid(Live) -> Live ! {server_request, Name, Session};
        _ -> ok
    end,
    Answer = case Name of 'RAR' -> 'RAA'; 'ASR' -> 'ASA' end,
    {reply, [Answer | #{'Session-Id' => Session, 'Result-Code' => Result,
                        'Origin-Host' => Host, 'Origin-Realm' => Realm}]};
handle_request(_Packet, _Service, _Peer) -> {answer_message, 3001}.

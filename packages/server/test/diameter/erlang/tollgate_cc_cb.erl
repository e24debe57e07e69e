%% Callback module of the strict credit-control client used by Tollgate's tests. It hands
%% every answer back with the decode errors the OTP diameter application found when it
%% checked the CCA against the RFC 4006 dictionary (missing or unknown AVPs, bad values).
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

handle_request(_Packet, _Service, _Peer) -> {answer_message, 3001}.
